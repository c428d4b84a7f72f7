package dev.switchboard.simulator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.websocket.api.exceptions.UpgradeException;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RealtimeFaultTest {

    /** How long a negative check ("nothing more arrives") listens; generation here runs at 1000 tokens/s. */
    private static final Duration QUIET = Duration.ofMillis(300);
    private static WebSocketClient ws;
    private static SimulatorHttpClient http;
    private ProviderSimulator simulator;

    @BeforeAll
    static void startClients() throws Exception {
        ws = new WebSocketClient();
        ws.start();
        http = new SimulatorHttpClient();
    }

    @AfterAll
    static void stopClients() throws Exception {
        ws.stop();
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
    void status_refuses_the_upgrade_with_the_provider_error_and_retry_after() throws Exception {
        String spec = "status=429,retry_after=2";
        ContentResponse plain = http.get(URI.create("http://127.0.0.1:" + simulator.port() + "/faults/" + spec
                + "/v1/realtime?model=sim-realtime"));

        assertEquals(429, RealtimeTestClient.refusedStatus(ws, uri(spec), new ClientUpgradeRequest()));
        assertEquals(429, plain.getStatus());
        assertEquals("2", plain.getHeaders().get("Retry-After"));
        assertEquals("rate_limit_exceeded", SimulatorHttpClient.json(plain).path("error").path("code").asText());
        assertEquals(2, simulator.stats().faultsInjected());
    }

    @Test
    void reset_before_headers_drops_the_connection_without_an_answer() {
        ExecutionException failure = assertThrows(ExecutionException.class,
                () -> RealtimeTestClient.connect(ws, uri("reset_before_headers=true"), new ClientUpgradeRequest()));

        assertFalse(failure.getCause() instanceof UpgradeException upgrade && upgrade.getResponseStatusCode() > 0,
                "no HTTP status: " + failure.getCause());
    }

    @Test
    void no_response_accepts_the_upgrade_and_never_says_anything() throws Exception {
        try (RealtimeTestClient client = RealtimeTestClient.connect(ws, uri("no_response=true"),
                new ClientUpgradeRequest())) {
            client.send(RealtimeTestClient.userText("Anyone there?"));
            client.send(RealtimeTestClient.responseCreate(RealtimeTextResponseTest.fast(3)));

            assertNull(client.poll(QUIET));
            assertTrue(client.isOpen());
            assertEquals(1, simulator.stats().faultsInjected());
        }
    }

    @Test
    void ttft_ms_replaces_the_first_token_delay() throws Exception {
        try (RealtimeTestClient client = session("ttft_ms=0")) {
            client.send(RealtimeTestClient.responseCreate(Map.of("sim_ttft_ms", "60000", "sim_tokens", "3",
                    "sim_tokens_per_second", "100000")));

            JsonNode done = last(client.until("response.done"));

            assertEquals("completed", done.path("response").path("status").asText());
        }
        try (RealtimeTestClient client = session("ttft_ms=60000")) {
            client.send(RealtimeTestClient.responseCreate(RealtimeTextResponseTest.fast(3)));

            client.until("response.created");
            assertNull(client.poll(QUIET), "the first token waits for the TTFT");
        }
    }

    @Test
    void cut_after_closes_the_connection_without_a_close_frame_after_that_many_deltas() throws Exception {
        try (RealtimeTestClient client = session("cut_after=3")) {
            client.send(RealtimeTestClient.responseCreate(steady(20)));

            int code = client.awaitClose();

            List<String> types = typesOf(client.rawFrames());
            assertEquals(3, types.stream().filter("response.output_text.delta"::equals).count(), types::toString);
            assertFalse(types.contains("response.done"));
            assertEquals(1006, code, "no close frame");
            await().atMost(RealtimeTestClient.WAIT).until(() -> simulator.stats().realtimeSessionsClosed() == 1);
        }
    }

    @Test
    void stall_after_stops_sending_after_that_many_deltas_and_keeps_the_connection_open() throws Exception {
        try (RealtimeTestClient client = session("stall_after=2")) {
            client.send(RealtimeTestClient.responseCreate(steady(20)));
            client.until("response.output_text.delta");
            client.until("response.output_text.delta");

            client.send(RealtimeTestClient.event("response.cancel"));

            assertNull(client.poll(QUIET), "a stalled provider answers nothing, not even the cancel");
            assertTrue(client.isOpen());
        }
    }

    @Test
    void inband_error_after_sends_an_error_and_a_failed_response_done_then_the_session_carries_on()
            throws Exception {
        try (RealtimeTestClient client = session("inband_error_after=2")) {
            client.send(RealtimeTestClient.responseCreate(steady(20)));

            List<JsonNode> frames = client.until("response.done");

            List<String> types = RealtimeTestClient.types(frames);
            assertEquals(2, types.stream().filter("response.output_text.delta"::equals).count(), types::toString);
            JsonNode error = frames.get(frames.size() - 2);
            assertEquals("error", error.path("type").asText());
            assertEquals("server_error", error.path("error").path("type").asText());
            JsonNode done = last(frames).path("response");
            assertEquals("failed", done.path("status").asText());
            assertEquals("server_error", done.path("status_details").path("error").path("type").asText());
            client.send(RealtimeTestClient.event("session.update").set("session",
                    SimulatorHttpClient.JSON.createObjectNode().put("type", "realtime")));
            client.expect("session.updated");
        }
    }

    @Test
    void malformed_at_sends_one_broken_frame_before_that_delta_and_every_delta_still_arrives() throws Exception {
        try (RealtimeTestClient client = session("malformed_at=2")) {
            client.send(RealtimeTestClient.responseCreate(RealtimeTextResponseTest.fast(4)));

            List<JsonNode> frames = client.until("response.done");

            List<String> types = RealtimeTestClient.types(frames);
            assertEquals("<not json>", types.get(types.indexOf("response.output_text.delta") + 1));
            assertEquals(4, types.stream().filter("response.output_text.delta"::equals).count());
        }
    }

    @Test
    void fail_first_refuses_only_the_first_upgrades() throws Exception {
        assertEquals(500, RealtimeTestClient.refusedStatus(ws, uri("status=500,fail_first=1"),
                new ClientUpgradeRequest()));
        try (RealtimeTestClient client = RealtimeTestClient.connect(ws, uri("status=500,fail_first=1"),
                new ClientUpgradeRequest())) {
            client.expect("session.created");
        }
    }

    @Test
    void faults_without_meaning_for_realtime_and_bad_specs_are_400() throws Exception {
        assertEquals(400, RealtimeTestClient.refusedStatus(ws, uri("no_done=true"), new ClientUpgradeRequest()));
        assertEquals(400, RealtimeTestClient.refusedStatus(ws, uri("reject_prefill=true"),
                new ClientUpgradeRequest()));
        assertEquals(400, RealtimeTestClient.refusedStatus(ws, uri("cut_after=x"), new ClientUpgradeRequest()));
    }

    private RealtimeTestClient session(String spec) throws Exception {
        RealtimeTestClient client = RealtimeTestClient.connect(ws, uri(spec), new ClientUpgradeRequest());
        client.expect("session.created");
        client.send(RealtimeTestClient.userText("Faulty"));
        client.expect("conversation.item.added");
        client.expect("conversation.item.done");
        return client;
    }

    private URI uri(String spec) {
        return RealtimeTestClient.uri(simulator, "/faults/" + spec, SimulatorModels.SIM_REALTIME);
    }

    /** Knobs for a response paced at 1000 tokens a second, so faults land mid-stream. */
    private static Map<String, String> steady(int tokens) {
        return Map.of("sim_ttft_ms", "0", "sim_tokens_per_second", "1000", "sim_tokens", Integer.toString(tokens));
    }

    private static JsonNode last(List<JsonNode> frames) {
        return frames.get(frames.size() - 1);
    }

    private static List<String> typesOf(List<String> raw) throws Exception {
        List<String> types = new java.util.ArrayList<>();
        for (String frame : raw) {
            types.add(SimulatorHttpClient.JSON.readTree(frame).path("type").asText());
        }
        return types;
    }
}
