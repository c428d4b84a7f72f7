package dev.switchboard.broker.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.SeqAssert;
import dev.switchboard.broker.config.ConfigLoader;
import java.net.URI;
import java.util.List;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** A Realtime provider that fails: the client learns why, with the matching close code, never a hang. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RelayFaultTest {
    private static final String PROVIDER_KEY = "sk-provider-secret-123";
    private static Broker broker;
    private static WebSocketClient ws;

    @BeforeAll
    static void start() throws Exception {
        broker = Broker.start(new ConfigLoader(System::getenv).parse("""
                listen: {host: 127.0.0.1, port: 0}
                simulator: {enabled: true}
                providers:
                  cut: {kind: openai-realtime, base_url: "simulator:/faults/cut_after=5/v1"}
                  refused: {kind: openai-realtime, base_url: "simulator:/faults/status=401/v1", api_key: %s}
                  inband: {kind: openai-realtime, base_url: "simulator:/faults/inband_error_after=3/v1"}
                  malformed: {kind: openai-realtime, base_url: "simulator:/faults/malformed_at=2/v1"}
                models:
                  rt-cut: {route: [cut/sim-realtime]}
                  rt-refused: {route: [refused/sim-realtime]}
                  rt-inband: {route: [inband/sim-realtime]}
                  rt-malformed: {route: [malformed/sim-realtime]}
                tenants:
                  dev: {keys: [dev-key], models: ["*"]}
                """.formatted(PROVIDER_KEY)));
        ws = new WebSocketClient();
        ws.start();
    }

    @AfterAll
    static void stop() throws Exception {
        ws.stop();
        broker.close();
    }

    private static RealtimeClient connect(String model) throws Exception {
        return RealtimeClient.connect(ws, URI.create("ws://127.0.0.1:" + broker.port() + "/v1/realtime?model="
                + model), "dev-key");
    }

    private static void ask(RealtimeClient client) {
        client.send(RealtimeClient.userMessage("Hello."));
        client.send(RealtimeClient.responseCreate("go", "{\"sim_tokens\":\"20\",\"sim_ttft_ms\":\"0\"}"));
    }

    @Test
    void a_provider_that_drops_mid_answer_ends_the_session_with_stream_broken() throws Exception {
        RealtimeClient client = connect("rt-cut");
        client.next();
        ask(client);
        JsonNode error = client.until("error").stream().reduce((a, b) -> b).orElseThrow();
        assertEquals("upstream_stream_broken", error.path("error").path("code").asText(), error::toString);
        assertEquals(4503, client.awaitClose());
        SeqAssert.contiguousFromOne(client.received());
    }

    @Test
    void a_provider_refusing_the_brokers_credentials_is_reported_without_the_key() throws Exception {
        RealtimeClient client = connect("rt-refused");
        JsonNode error = client.next();
        assertEquals("error", error.path("type").asText(), error::toString);
        assertEquals("upstream_auth_failed", error.path("error").path("code").asText(), error::toString);
        assertFalse(error.toString().contains(PROVIDER_KEY), "the provider key leaked: " + error);
        assertEquals(4401, client.awaitClose());
    }

    @Test
    void an_in_band_provider_error_is_relayed_and_the_session_carries_on() throws Exception {
        try (RealtimeClient client = connect("rt-inband")) {
            client.next();
            ask(client);
            List<JsonNode> frames = client.until("response.done");
            assertTrue(frames.stream().anyMatch(f -> f.path("type").asText().equals("error")));
            assertEquals("failed", frames.get(frames.size() - 1).path("response").path("status").asText());
            client.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"instructions\":\"on\"}}");
            client.until("session.updated");
            SeqAssert.contiguousFromOne(client.received());
        }
    }

    @Test
    void a_malformed_provider_frame_is_dropped_and_the_answer_still_completes() throws Exception {
        try (RealtimeClient client = connect("rt-malformed")) {
            client.next();
            ask(client);
            List<JsonNode> frames = client.until("response.done");
            assertEquals("completed", frames.get(frames.size() - 1).path("response").path("status").asText());
            assertEquals(20, frames.stream().filter(f -> f.path("type").asText()
                    .equals("response.output_text.delta")).count());
            SeqAssert.contiguousFromOne(client.received());
        }
    }
}
