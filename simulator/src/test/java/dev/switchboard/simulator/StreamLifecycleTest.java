package dev.switchboard.simulator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class StreamLifecycleTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static SimulatorHttpClient http;
    private ProviderSimulator simulator;

    @BeforeAll
    static void startClient() throws Exception {
        http = new SimulatorHttpClient();
    }

    @AfterAll
    static void stopClient() throws Exception {
        http.close();
    }

    @BeforeEach
    void startSimulator() throws Exception {
        simulator = ProviderSimulator.start(SimulatorConfig.loopbackEphemeral());
    }

    @AfterEach
    void stopSimulator() {
        simulator.close();
    }

    @Test
    void client_aborting_mid_stream_is_counted_as_one_aborted_stream() throws Exception {
        String body = ChatBodies.chat("Abort me", true,
                Map.of("sim_tokens", "100000", "sim_ttft_ms", "0", "sim_tokens_per_second", "50")).toString();
        Request request = http.post(simulator.baseUri(), "/chat/completions", body);
        CompletableFuture<Result> result = new CompletableFuture<>();
        request.onResponseContent((response, content) -> request.abort(new IOException("client went away")))
                .send(result::complete);

        assertTrue(result.get(SimulatorHttpClient.TIMEOUT_SECONDS, TimeUnit.SECONDS).isFailed());
        await().atMost(WAIT).until(() -> simulator.stats().streamsAborted() == 1);
        assertEquals(1, simulator.stats().streamsStarted());
        assertEquals(0, simulator.stats().streamsCompleted());
    }

    @Test
    void closing_the_simulator_aborts_a_stream_waiting_for_its_first_token() throws Exception {
        String body = ChatBodies.chat("Wait for it", true, Map.of("sim_ttft_ms", "60000")).toString();
        CompletableFuture<Integer> headers = new CompletableFuture<>();
        CompletableFuture<Result> result = new CompletableFuture<>();
        http.post(simulator.baseUri(), "/chat/completions", body)
                .onResponseHeaders(response -> headers.complete(response.getStatus()))
                .send(result::complete);
        assertEquals(200, headers.get(SimulatorHttpClient.TIMEOUT_SECONDS, TimeUnit.SECONDS));

        simulator.close();

        assertTrue(result.get(SimulatorHttpClient.TIMEOUT_SECONDS, TimeUnit.SECONDS).isFailed());
        assertEquals(1, simulator.stats().streamsAborted());
        assertEquals(0, simulator.stats().streamsCompleted());
    }

    @Test
    void close_is_idempotent() {
        simulator.close();
        simulator.close();

        assertEquals(0, simulator.stats().streamsStarted());
    }

    @Test
    void base_uri_is_loopback_with_the_bound_port_and_no_trailing_slash() {
        assertTrue(simulator.port() > 0);
        assertEquals("http://127.0.0.1:" + simulator.port() + "/v1", simulator.baseUri().toString());
    }

    @Test
    void hundreds_of_concurrent_paced_streams_all_complete() throws Exception {
        int streams = 300;
        List<CompletableFuture<ContentResponse>> responses = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            String body = ChatBodies.chat("Stream " + i, true,
                    Map.of("sim_tokens", "20", "sim_ttft_ms", "50", "sim_tokens_per_second", "40")).toString();
            responses.add(new CompletableResponseListener(
                    http.post(simulator.baseUri(), "/chat/completions", body)).send());
        }

        for (CompletableFuture<ContentResponse> response : responses) {
            String content = response.get(SimulatorHttpClient.TIMEOUT_SECONDS, TimeUnit.SECONDS).getContentAsString();
            assertEquals(20, StreamedCompletion.parse(content).contentChunks().size());
        }
        await().atMost(WAIT).until(() -> simulator.stats().streamsCompleted() == streams);
        assertEquals(streams, simulator.stats().streamsStarted());
        assertEquals(0, simulator.stats().streamsAborted());
    }
}
