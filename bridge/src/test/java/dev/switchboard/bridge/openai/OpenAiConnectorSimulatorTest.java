package dev.switchboard.bridge.openai;

import static dev.switchboard.bridge.openai.OpenAiFixtures.RELAXED;
import static dev.switchboard.bridge.openai.OpenAiFixtures.WAIT;
import static dev.switchboard.bridge.openai.OpenAiFixtures.assertNoSecret;
import static dev.switchboard.bridge.openai.OpenAiFixtures.userMessage;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.bridge.upstream.RecordingListener;
import dev.switchboard.bridge.upstream.Upstream;
import dev.switchboard.bridge.upstream.UpstreamOutcome;
import dev.switchboard.bridge.upstream.UpstreamRequest;
import dev.switchboard.protocol.close.CloseReason;
import dev.switchboard.simulator.ProviderSimulator;
import dev.switchboard.simulator.SimulatorConfig;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpMethod;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The connector against the bundled provider simulator, a real OpenAI-compatible server. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class OpenAiConnectorSimulatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static HttpClient client;
    private ProviderSimulator simulator;
    private final RecordingListener listener = new RecordingListener();

    @BeforeAll
    static void startClient() throws Exception {
        client = new HttpClient();
        client.start();
    }

    @AfterAll
    static void stopClient() throws Exception {
        client.stop();
    }

    @BeforeEach
    void startSimulator() throws Exception {
        simulator = ProviderSimulator.start(SimulatorConfig.loopbackEphemeral());
    }

    @AfterEach
    void stopSimulator() {
        simulator.close();
    }

    private OpenAiConnector connector() {
        return new OpenAiConnector(new OpenAiConfig("simulator", simulator.baseUri(), Optional.empty(), RELAXED),
                client);
    }

    /** A request steering the simulator: {@code tokens} tokens at {@code tokensPerSecond}, first one at once. */
    private static UpstreamRequest request(int tokens, int tokensPerSecond) {
        return new UpstreamRequest("gpt-test", "Be brief.", List.of(userMessage("Tell me a story.")),
                Map.of("sim_tokens", String.valueOf(tokens), "sim_ttft_ms", "0",
                        "sim_tokens_per_second", String.valueOf(tokensPerSecond)),
                OptionalInt.empty(), List.of(), Optional.empty());
    }

    /** The same conversation asked without streaming: the simulator's whole answer in one piece. */
    private String nonStreamingAnswer(UpstreamRequest request) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("model", request.model()).put("stream", false);
        body.putArray("messages").add(JSON.createObjectNode().put("role", "system").put("content",
                request.instructions())).add(JSON.createObjectNode().put("role", "user").put("content",
                request.items().get(0).text()));
        ObjectNode metadata = body.putObject("metadata");
        request.metadata().forEach(metadata::put);
        ContentResponse response = client.newRequest(simulator.baseUri() + "/chat/completions")
                .method(HttpMethod.POST)
                .body(new StringRequestContent("application/json", JSON.writeValueAsString(body)))
                .timeout(WAIT.toMillis(), TimeUnit.MILLISECONDS)
                .send();
        assertEquals(200, response.getStatus(), response::getContentAsString);
        JsonNode answer = JSON.readTree(response.getContentAsString());
        return answer.at("/choices/0/message/content").asText();
    }

    @Test
    void a_simulated_stream_completes_and_its_deltas_concatenate_to_the_whole_answer() throws Exception {
        UpstreamRequest request = request(40, 100_000);

        connector().open(request, listener);

        UpstreamOutcome.Completed completed = listener.awaitCompletion(WAIT);
        assertEquals("stop", completed.finishReason());
        assertEquals(40, completed.usage().outputTokens());
        assertEquals("gpt-test", completed.model());
        assertFalse(listener.deltaTexts().isEmpty());
        assertEquals(nonStreamingAnswer(request), listener.text());
        await().atMost(WAIT).until(() -> simulator.stats().streamsCompleted() == 1);
    }

    @Test
    void cancel_aborts_the_simulated_stream() {
        long abortedBefore = simulator.stats().streamsAborted();
        Upstream upstream = connector().open(request(4_000, 200), listener);
        await().atMost(WAIT).until(() -> listener.deltaTexts().size() >= 3);

        upstream.cancel();

        assertEquals(new UpstreamOutcome.Cancelled(), listener.awaitEnd(WAIT));
        await().atMost(WAIT).until(() -> simulator.stats().streamsAborted() == abortedBefore + 1);
        assertEquals(0, simulator.stats().streamsCompleted());
    }

    @Test
    void a_wrong_key_is_an_auth_failure_that_shows_neither_key() throws Exception {
        try (ProviderSimulator keyed = ProviderSimulator.start(
                SimulatorConfig.loopbackEphemeral().withApiKey("sk-the-right-one"))) {
            OpenAiConnector connector = OpenAiFixtures.connector(client,
                    URI.create("http://127.0.0.1:" + keyed.port()), RELAXED);

            connector.open(request(5, 100_000), listener);

            UpstreamOutcome.Failed failed = assertNoSecret(listener.awaitFailure(WAIT));
            assertEquals(CloseReason.UPSTREAM_AUTH, failed.reason());
            assertFalse(failed.message().contains("sk-the-right-one"), failed::message);
        }
    }
}
