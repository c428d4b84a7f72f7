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
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * The broker's own VAD cuts a playing answer the moment the caller speaks, with the provider's turn detection
 * off, so only the broker can have done it.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class BrokerVadTest {
    private static final String SLOW_AUDIO = "{\"sim_tokens\":\"400\",\"sim_ttft_ms\":\"0\","
            + "\"sim_tokens_per_second\":\"100\"}";
    private static Broker broker;
    private static WebSocketClient ws;

    @BeforeAll
    static void start() throws Exception {
        broker = Broker.start(new ConfigLoader(System::getenv).parse("""
                listen: {host: 127.0.0.1, port: 0}
                simulator: {enabled: true}
                providers:
                  rt: {kind: openai-realtime, base_url: "simulator:/v1"}
                models:
                  sim-realtime: {route: [rt/sim-realtime]}
                tenants:
                  dev: {keys: [dev-key], models: ["*"]}
                  vad: {keys: [vad-key], models: ["*"], broker_vad: true}
                """));
        ws = new WebSocketClient();
        ws.setMaxTextMessageSize(64L << 20);
        ws.start();
    }

    @AfterAll
    static void stop() throws Exception {
        ws.stop();
        broker.close();
    }

    private static RealtimeClient session(String key, String extension) throws Exception {
        RealtimeClient client = RealtimeClient.connect(ws, URI.create("ws://127.0.0.1:" + broker.port()
                + "/v1/realtime?model=sim-realtime"), key);
        client.next();
        client.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"output_modalities\":"
                + "[\"audio\"]" + extension + "}}");
        JsonNode updated = client.next();
        assertEquals("session.updated", updated.path("type").asText(), updated::toString);
        assertFalse(updated.toString().contains("switchboard"), "the extension never reaches the provider");
        return client;
    }

    /** Starts a long audio answer and returns its response id once audio flows. */
    private static String playing(RealtimeClient client) throws InterruptedException {
        client.send(RealtimeClient.userMessage("Tell me a long story."));
        client.until("conversation.item.done");
        client.send(RealtimeClient.responseCreate("go", SLOW_AUDIO));
        return client.until("response.output_audio.delta").stream().reduce((a, b) -> b).orElseThrow()
                .path("response_id").asText();
    }

    private static void assertCutByBroker(RealtimeClient client, String responseId) throws Exception {
        long cancelledBefore = broker.simulator().orElseThrow().stats().realtimeResponsesCancelled();
        client.send(Pcm.append(Pcm.silence(200)));
        client.send(Pcm.append(Pcm.tone(200)));
        List<JsonNode> frames = client.until("switchboard.speech_started");
        JsonNode speech = frames.get(frames.size() - 1);
        assertEquals("broker_vad", speech.path("source").asText());
        assertEquals(200, speech.path("audio_start_ms").asLong(), speech::toString);
        JsonNode done = client.next();
        assertEquals("response.done", done.path("type").asText(), done::toString);
        assertEquals(responseId, done.path("response").path("id").asText());
        assertEquals("broker_vad", done.path("response").path("status_details").path("reason").asText());
        client.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"instructions\":\"x\"}}");
        for (JsonNode frame : client.until("session.updated")) {
            assertFalse(responseId.equals(frame.path("response_id").asText())
                    || responseId.equals(frame.path("response").path("id").asText()), frame::toString);
        }
        SeqAssert.contiguousFromOne(client.received());
        // The provider was told to stop generating too.
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
                broker.simulator().orElseThrow().stats().realtimeResponsesCancelled() > cancelledBefore);
    }

    @Test
    void a_session_that_opts_in_gets_its_answer_cut_when_the_caller_speaks() throws Exception {
        try (RealtimeClient client = session("dev-key",
                ",\"switchboard\":{\"broker_vad\":{\"enabled\":true,\"threshold\":0.5,\"min_speech_ms\":60}}")) {
            assertCutByBroker(client, playing(client));
        }
    }

    @Test
    void a_tenant_with_broker_vad_needs_no_extension() throws Exception {
        try (RealtimeClient client = session("vad-key", "")) {
            assertCutByBroker(client, playing(client));
        }
    }

    @Test
    void silence_does_not_cut_and_without_the_opt_in_nothing_listens() throws Exception {
        try (RealtimeClient client = session("dev-key", "")) {
            String responseId = playing(client);
            client.send(Pcm.append(Pcm.tone(300)));
            List<JsonNode> rest = client.until("response.done");
            JsonNode done = rest.get(rest.size() - 1);
            assertEquals(responseId, done.path("response").path("id").asText());
            assertEquals("completed", done.path("response").path("status").asText(), done::toString);
            assertTrue(rest.stream().noneMatch(f -> f.path("type").asText().equals("switchboard.speech_started")));
        }
    }

    @Test
    void invalid_settings_are_refused_and_the_session_goes_on() throws Exception {
        try (RealtimeClient client = RealtimeClient.connect(ws, URI.create("ws://127.0.0.1:" + broker.port()
                + "/v1/realtime?model=sim-realtime"), "dev-key")) {
            client.next();
            client.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"switchboard\":"
                    + "{\"broker_vad\":{\"threshold\":7}}}}");
            JsonNode error = client.next();
            assertEquals("invalid_value", error.path("error").path("code").asText(), error::toString);
            assertEquals("session.switchboard.broker_vad", error.path("error").path("param").asText());
            client.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"instructions\":\"ok\"}}");
            assertEquals("session.updated", client.next().path("type").asText());
        }
    }
}
