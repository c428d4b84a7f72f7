package dev.switchboard.broker.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.SeqAssert;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The dev model {@code sim-realtime}: a session relayed to the simulator's Realtime WebSocket endpoint. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RelayTest {
    private static final String LONG = "{\"sim_tokens\":\"300\",\"sim_ttft_ms\":\"0\",\"sim_tokens_per_second\":\"2000\"}";
    private static Broker broker;
    private static WebSocketClient ws;

    @BeforeAll
    static void start() throws Exception {
        broker = Broker.start(new ConfigLoader(System::getenv).loadDev()
                .withListen(new BrokerConfig.Listen("127.0.0.1", 0)));
        ws = new WebSocketClient();
        ws.setMaxTextMessageSize(64L << 20);
        ws.start();
    }

    @AfterAll
    static void stop() throws Exception {
        ws.stop();
        broker.close();
    }

    private static RealtimeClient connect() throws Exception {
        return RealtimeClient.connect(ws, URI.create("ws://127.0.0.1:" + broker.port()
                + "/v1/realtime?model=sim-realtime"), "dev-key");
    }

    private static String text(List<JsonNode> frames) {
        StringBuilder sb = new StringBuilder();
        frames.stream().filter(f -> f.path("type").asText().equals("response.output_text.delta"))
                .forEach(f -> sb.append(f.path("delta").asText()));
        return sb.toString();
    }

    @Test
    void a_relayed_session_streams_the_providers_events_with_a_contiguous_seq_and_a_resume_token() throws Exception {
        try (RealtimeClient client = connect()) {
            JsonNode created = client.next();
            assertEquals("session.created", created.path("type").asText());
            assertEquals("sim-realtime", created.path("session").path("model").asText());
            assertTrue(created.path("resume_token").asText().startsWith("rt1."), created::toString);
            client.send(RealtimeClient.userMessage("Hello relay."));
            client.until("conversation.item.done");
            client.send(RealtimeClient.responseCreate("go", "{\"sim_tokens\":\"20\",\"sim_ttft_ms\":\"0\"}"));
            List<JsonNode> answer = client.until("response.done");
            JsonNode done = answer.get(answer.size() - 1);
            assertEquals("completed", done.path("response").path("status").asText(), done::toString);
            assertEquals(20, answer.stream().filter(f -> f.path("type").asText()
                    .equals("response.output_text.delta")).count());
            SeqAssert.contiguousFromOne(client.received());
        }
    }

    @Test
    void events_the_broker_does_not_model_pass_through_both_ways() throws Exception {
        try (RealtimeClient client = connect()) {
            client.next();
            // The simulator does not know this type either: its own error event comes back through the relay.
            client.send("{\"type\":\"vendor.custom_event\",\"event_id\":\"c1\",\"payload\":{\"x\":[1,2]}}");
            JsonNode error = client.next();
            assertEquals("error", error.path("type").asText(), error::toString);
            assertEquals("c1", error.path("error").path("event_id").asText());
            assertEquals("type", error.path("error").path("param").asText());
            // Bad JSON is refused by the broker itself, with the session intact.
            client.send("{not json");
            JsonNode refused = client.next();
            assertEquals("invalid_json", refused.path("error").path("code").asText());
            // A null type is a missing one, with the same code as on a bridged session (issue 10).
            client.send("{\"type\":null,\"event_id\":\"n1\"}");
            JsonNode missing = client.next();
            assertEquals("missing_required_parameter", missing.path("error").path("code").asText(), missing::toString);
            assertEquals("type", missing.path("error").path("param").asText());
            client.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"instructions\":\"still fine\"}}");
            assertEquals("session.updated", client.next().path("type").asText());
            SeqAssert.contiguousFromOne(client.received());
        }
    }

    @Test
    void response_cancel_ends_the_response_at_once_and_nothing_of_it_follows() throws Exception {
        try (RealtimeClient client = connect()) {
            client.next();
            client.send(RealtimeClient.userMessage("Talk for a long time."));
            client.until("conversation.item.done");
            client.send(RealtimeClient.responseCreate("go",
                    "{\"sim_tokens\":\"5000\",\"sim_ttft_ms\":\"0\",\"sim_tokens_per_second\":\"500\"}"));
            int[] deltas = {0};
            client.until(f -> f.path("type").asText().equals("response.output_text.delta") && ++deltas[0] >= 5);
            client.send("{\"type\":\"response.cancel\"}");
            List<JsonNode> rest = client.until("response.done");
            JsonNode done = rest.get(rest.size() - 1);
            String responseId = done.path("response").path("id").asText();
            assertEquals("cancelled", done.path("response").path("status").asText(), done::toString);
            assertEquals("client_cancelled", done.path("response").path("status_details").path("reason").asText());
            // A round trip later, nothing of the cancelled response has arrived.
            client.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"instructions\":\"after\"}}");
            List<JsonNode> after = client.until("session.updated");
            for (JsonNode frame : after) {
                assertFalse(responseId.equals(frame.path("response_id").asText())
                        || responseId.equals(frame.path("response").path("id").asText()),
                        () -> "event of the cancelled response after its response.done: " + frame);
            }
            SeqAssert.contiguousFromOne(client.received());
        }
    }

    @Test
    void a_relayed_session_resumes_after_a_dropped_connection_with_nothing_lost() throws Exception {
        List<JsonNode> reference;
        try (RealtimeClient client = connect()) {
            client.next();
            client.send(RealtimeClient.userMessage("Resume me."));
            client.until("conversation.item.done");
            client.send(RealtimeClient.responseCreate("go", LONG));
            reference = client.until("response.done");
        }
        RealtimeClient first = connect();
        String token = first.next().path("resume_token").asText();
        first.send(RealtimeClient.userMessage("Resume me."));
        first.until("conversation.item.done");
        first.send(RealtimeClient.responseCreate("go", LONG));
        int[] deltas = {0};
        first.until(f -> f.path("type").asText().equals("response.output_text.delta") && ++deltas[0] >= 30);
        first.session().disconnect();
        List<JsonNode> seen = new ArrayList<>(first.received());
        long lastSeq = seen.get(seen.size() - 1).path("seq").asLong();
        RealtimeClient second = RealtimeClient.connect(ws, URI.create("ws://127.0.0.1:" + broker.port()
                + "/v1/realtime?resume_token=" + token + "&last_seq=" + lastSeq), "dev-key");
        assertEquals("session.resumed", second.next().path("type").asText());
        seen.addAll(second.until("response.done"));
        seen.removeIf(f -> !f.has("seq"));
        SeqAssert.contiguousFromOne(seen);
        assertEquals(text(reference), text(seen));
        second.close();
    }

    @Test
    void chat_completions_refuse_a_realtime_model() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + broker.port() + "/v1/chat/completions"))
                .header("Authorization", "Bearer dev-key").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"sim-realtime\",\"messages\":"
                        + "[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, response.statusCode());
        assertTrue(response.body().contains("model_not_supported"), response::body);
    }
}
