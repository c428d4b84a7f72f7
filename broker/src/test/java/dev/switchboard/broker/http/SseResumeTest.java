package dev.switchboard.broker.http;

import static dev.switchboard.broker.http.ChatHttp.fast;
import static dev.switchboard.broker.http.ChatHttp.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.config.ConfigLoader;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** A streamed chat completion whose connection drops is continued with {@code Last-Event-ID}. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SseResumeTest {
    private static final String QUESTION = "Tell me about resumable streams.";
    private static final Map<String, String> PACED = Map.of("sim_tokens", "300", "sim_ttft_ms", "0",
            "sim_tokens_per_second", "2000");
    private static Broker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = Broker.start(new ConfigLoader(System::getenv).parse("""
                listen: {host: 127.0.0.1, port: 0}
                simulator: {enabled: true}
                models:
                  sim-chat: {route: [simulator/sim-chat]}
                tenants:
                  dev: {keys: [dev-key], models: ["*"]}
                  other: {keys: [other-key], models: ["*"]}
                """));
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    /** What the first, interrupted connection saw: its text and the id of its last complete event. */
    private record Partial(String text, String lastEventId) {
    }

    /** Streams {@code body} and drops the connection after {@code deltas} content chunks. */
    private static Partial readThenDrop(ObjectNode body, int deltas) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(ChatHttp.uri(broker,
                        "/v1/chat/completions")).header("Authorization", "Bearer dev-key")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        StringBuilder text = new StringBuilder();
        String id = null;
        String lastId = null;
        String pending = null;
        int seen = 0;
        try (InputStream in = response.body()) {
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (int lines = 0; lines < 100_000 && seen < deltas; lines++) {
                String line = reader.readLine();
                if (line == null) {
                    throw new AssertionError("the stream ended before " + deltas + " deltas");
                }
                if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("data: ")) {
                    JsonNode content = ChatHttp.JSON.readTree(line.substring(6)).path("choices").path(0)
                            .path("delta").path("content");
                    if (content.isTextual()) {
                        pending = content.asText();
                    }
                } else if (line.isEmpty() && id != null) {
                    // An event counts once it is complete (its blank line read), as EventSource does.
                    lastId = id;
                    if (pending != null) {
                        text.append(pending);
                        seen++;
                        pending = null;
                    }
                }
            }
        }
        // Closing the body before its end aborts the connection.
        return new Partial(text.toString(), lastId);
    }

    private static HttpResponse<String> resume(String key, ObjectNode body, String lastEventId) throws Exception {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(
                        ChatHttp.uri(broker, "/v1/chat/completions")).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").header("Last-Event-ID", lastEventId)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String uninterrupted(ObjectNode body) throws Exception {
        HttpResponse<String> whole = ChatHttp.post(broker, body);
        return Sse.text(Sse.chunks(Sse.parse(whole.body())));
    }

    @Test
    void a_dropped_stream_resumed_with_last_event_id_gives_the_whole_answer_once() throws Exception {
        ObjectNode body = request("sim-chat", QUESTION, PACED, true);
        String reference = uninterrupted(body);
        Partial partial = readThenDrop(body, 40);
        HttpResponse<String> rest = resume("dev-key", body, partial.lastEventId());
        assertEquals(200, rest.statusCode(), rest::body);
        assertEquals("text/event-stream", rest.headers().firstValue("Content-Type").orElse(""));
        List<Sse.Block> blocks = Sse.parse(rest.body());
        assertEquals("[DONE]", blocks.get(blocks.size() - 1).data().orElseThrow());
        assertEquals(reference, partial.text() + Sse.text(Sse.chunks(blocks)));
        long lastSeq = Long.parseLong(partial.lastEventId().substring(partial.lastEventId().lastIndexOf('.') + 1));
        for (Sse.Block block : blocks) {
            block.id().ifPresent(id -> assertTrue(Long.parseLong(id.substring(id.lastIndexOf('.') + 1)) > lastSeq,
                    () -> "replayed an event the client already had: " + id));
        }
    }

    @Test
    void another_tenant_cannot_resume_the_stream() throws Exception {
        ObjectNode body = request("sim-chat", QUESTION, PACED, true);
        Partial partial = readThenDrop(body, 5);
        HttpResponse<String> refused = resume("other-key", body, partial.lastEventId());
        assertEquals(410, refused.statusCode());
        assertEquals("resume_token_invalid", ChatHttp.json(refused).path("error").path("code").asText());
        assertTrue(!refused.body().contains(partial.lastEventId()), refused::body);
    }

    @Test
    void an_unknown_or_malformed_last_event_id_is_refused() throws Exception {
        ObjectNode body = request("sim-chat", QUESTION, fast(5), true);
        HttpResponse<String> unknown = resume("dev-key", body, "resp_doesnotexist.3");
        assertEquals(410, unknown.statusCode());
        assertEquals("resume_token_invalid", ChatHttp.json(unknown).path("error").path("code").asText());
        HttpResponse<String> malformed = resume("dev-key", body, "garbage");
        assertEquals(400, malformed.statusCode());
        assertEquals("Last-Event-ID", ChatHttp.json(malformed).path("error").path("param").asText());
    }

    @Test
    void a_finished_stream_that_ended_normally_cannot_be_resumed() throws Exception {
        ObjectNode body = request("sim-chat", QUESTION, fast(5), true);
        HttpResponse<String> whole = ChatHttp.post(broker, body);
        String lastId = Sse.parse(whole.body()).stream().filter(b -> b.id().isPresent()).reduce((a, b) -> b)
                .orElseThrow().id().orElseThrow();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> {
            HttpResponse<String> gone = resume("dev-key", body, lastId);
            return gone.statusCode() == 410
                    && ChatHttp.json(gone).path("error").path("code").asText().equals("resume_token_expired");
        });
    }
}
