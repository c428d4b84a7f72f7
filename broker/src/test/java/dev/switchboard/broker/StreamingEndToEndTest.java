package dev.switchboard.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class StreamingEndToEndTest {
    private static TestBroker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = TestBroker.dev();
    }

    @AfterAll
    static void stop() throws Exception {
        broker.close();
    }

    private static List<String> types(List<JsonNode> frames) {
        return frames.stream().map(f -> f.path("type").asText()).collect(Collectors.toList());
    }

    private static String text(List<JsonNode> frames) {
        return frames.stream().filter(f -> f.path("type").asText().equals("response.output_text.delta"))
                .map(f -> f.get("delta").asText()).collect(Collectors.joining());
    }

    @Test
    void a_text_response_streams_in_realtime_order_with_contiguous_seq() throws Exception {
        try (RealtimeClient client = broker.connect()) {
            JsonNode created = client.next();
            assertEquals("session.created", created.path("type").asText());
            assertEquals(1, created.path("seq").asLong());
            assertEquals("sim-chat", created.path("session").path("model").asText());

            client.send(RealtimeClient.userMessage("Tell me about switchboards."));
            List<JsonNode> item = client.until("conversation.item.done");
            assertEquals(List.of("conversation.item.added", "conversation.item.done"), types(item));

            client.send(RealtimeClient.responseCreate("evt_1",
                    "{\"sim_tokens\":\"30\",\"sim_ttft_ms\":\"0\",\"sim_tokens_per_second\":\"2000\",\"tag\":\"x\"}"));
            List<JsonNode> response = client.until("response.done");
            List<String> types = types(response);
            assertEquals(List.of("response.created", "response.output_item.added", "response.content_part.added"),
                    types.subList(0, 3));
            assertEquals(30, types.stream().filter("response.output_text.delta"::equals).count());
            assertEquals(List.of("response.output_text.done", "response.content_part.done",
                    "response.output_item.done", "response.done"), types.subList(types.size() - 4, types.size()));

            JsonNode done = response.get(response.size() - 1).path("response");
            assertEquals("completed", done.path("status").asText());
            assertEquals(30, done.path("usage").path("output_tokens").asLong());
            assertTrue(done.path("usage").path("input_tokens").asLong() > 0);
            assertEquals("x", done.path("metadata").path("tag").asText());
            String streamed = text(response);
            assertFalse(streamed.isBlank());
            assertEquals(streamed, response.get(types.indexOf("response.output_text.done")).path("text").asText());
            assertEquals(streamed, done.path("output").path(0).path("content").path(0).path("text").asText());

            SeqAssert.contiguousFromOne(client.received());
        }
    }

    @Test
    void the_same_request_yields_the_same_text_and_the_answer_joins_the_conversation() throws Exception {
        String first;
        try (RealtimeClient client = broker.connect()) {
            client.next();
            client.send(RealtimeClient.userMessage("Same question"));
            client.until("conversation.item.done");
            client.send(RealtimeClient.responseCreate("a", "{\"sim_tokens\":\"12\",\"sim_ttft_ms\":\"0\"}"));
            first = text(client.until("response.done"));
            // A second response sees the assistant's answer in the conversation, so its input differs.
            client.send(RealtimeClient.responseCreate("b", "{\"sim_tokens\":\"12\",\"sim_ttft_ms\":\"0\"}"));
            List<JsonNode> second = client.until("response.done");
            assertEquals("completed", second.get(second.size() - 1).path("response").path("status").asText());
            SeqAssert.contiguousFromOne(client.received());
        }
        try (RealtimeClient client = broker.connect()) {
            client.next();
            client.send(RealtimeClient.userMessage("Same question"));
            client.until("conversation.item.done");
            client.send(RealtimeClient.responseCreate("a", "{\"sim_tokens\":\"12\",\"sim_ttft_ms\":\"0\"}"));
            assertEquals(first, text(client.until("response.done")));
        }
    }

    @Test
    void response_input_and_instructions_override_the_conversation() throws Exception {
        try (RealtimeClient client = broker.connect()) {
            client.next();
            client.send("{\"type\":\"session.update\",\"session\":{\"instructions\":\"Be brief.\"}}");
            JsonNode updated = client.next();
            assertEquals("session.updated", updated.path("type").asText());
            assertEquals("Be brief.", updated.path("session").path("instructions").asText());
            client.send("{\"type\":\"response.create\",\"response\":{\"instructions\":\"Be long.\",\"conversation\":"
                    + "\"none\",\"metadata\":{\"sim_tokens\":\"5\",\"sim_ttft_ms\":\"0\"},\"input\":[{\"type\":"
                    + "\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"hi\"}]}]}}");
            List<JsonNode> response = client.until("response.done");
            assertEquals("completed", response.get(response.size() - 1).path("response").path("status").asText());
        }
    }

    @Test
    void a_second_response_create_while_one_is_active_is_refused() throws Exception {
        try (RealtimeClient client = broker.connect()) {
            client.next();
            client.send(RealtimeClient.userMessage("Count slowly."));
            client.until("conversation.item.done");
            client.send(RealtimeClient.responseCreate("first", "{\"sim_tokens\":\"40\",\"sim_ttft_ms\":\"50\"}"));
            assertEquals("response.created", client.next().path("type").asText());
            client.send(RealtimeClient.responseCreate("second", "{}"));
            JsonNode error = client.until("error").stream().filter(f -> f.path("type").asText().equals("error"))
                    .findFirst().orElseThrow();
            assertEquals("conversation_already_has_active_response", error.path("error").path("code").asText());
            assertEquals("second", error.path("error").path("event_id").asText());
            List<JsonNode> rest = client.until("response.done");
            assertEquals("completed", rest.get(rest.size() - 1).path("response").path("status").asText(),
                    () -> rest.get(rest.size() - 1).toString());
            SeqAssert.contiguousFromOne(client.received());
        }
    }

    @Test
    void health_and_metrics_are_served() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        var health = http.send(java.net.http.HttpRequest.newBuilder(broker.http("/healthz")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
        try (RealtimeClient client = broker.connect()) {
            client.next();
            client.send(RealtimeClient.userMessage("metrics"));
            client.until("conversation.item.done");
            client.send(RealtimeClient.responseCreate("m", "{\"sim_tokens\":\"3\",\"sim_ttft_ms\":\"0\"}"));
            client.until("response.done");
        }
        var metrics = http.send(java.net.http.HttpRequest.newBuilder(broker.http("/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, metrics.statusCode());
        String body = metrics.body();
        assertTrue(body.contains("broker_response_ttft_seconds_bucket{model=\"sim-chat\",provider=\"simulator\""),
                body);
        assertTrue(body.contains("bridge_upstream_ttft_seconds_count{provider=\"simulator\"}"), body);
        assertTrue(body.contains("broker_responses_total{model=\"sim-chat\",outcome=\"completed\"}"), body);
        assertTrue(body.contains("broker_sessions_active"), body);
        assertTrue(body.contains("broker_ring_occupancy{shard=\"0\"}"), body);
        assertFalse(body.contains("sess_"), "metrics must not carry session ids");
        assertFalse(body.contains("dev-key"), "metrics must not carry keys");
    }
}
