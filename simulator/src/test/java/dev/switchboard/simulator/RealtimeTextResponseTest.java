package dev.switchboard.simulator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RealtimeTextResponseTest {

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
    void a_text_response_streams_the_ga_event_sequence() throws Exception {
        try (RealtimeTestClient client = RealtimeTestClient.connect(ws, simulator)) {
            client.expect("session.created");
            client.send(RealtimeTestClient.userText("Hello there"));
            client.expect("conversation.item.added");
            client.expect("conversation.item.done");
            client.send(RealtimeTestClient.responseCreate(fast(5)));

            List<JsonNode> frames = client.until("response.done");

            assertEquals(List.of("response.created", "response.output_item.added", "conversation.item.added",
                    "response.content_part.added", "response.output_text.delta", "response.output_text.delta",
                    "response.output_text.delta", "response.output_text.delta", "response.output_text.delta",
                    "response.output_text.done", "response.content_part.done", "response.output_item.done",
                    "conversation.item.done", "response.done"), RealtimeTestClient.types(frames));
            String responseId = frames.get(0).path("response").path("id").asText();
            String itemId = frames.get(1).path("item").path("id").asText();
            assertTrue(responseId.startsWith("resp_"), responseId);
            assertTrue(itemId.startsWith("item_"), itemId);
            for (JsonNode delta : frames.subList(4, 9)) {
                assertEquals(responseId, delta.path("response_id").asText());
                assertEquals(itemId, delta.path("item_id").asText());
                assertEquals(0, delta.path("output_index").asInt());
                assertEquals(0, delta.path("content_index").asInt());
                assertTrue(delta.path("delta").isTextual());
            }
            String text = RealtimeTestClient.deltas(frames, "response.output_text.delta");
            assertEquals(text, frames.get(9).path("text").asText());
            assertEquals(text, frames.get(10).path("part").path("text").asText());
            assertEquals("text", frames.get(10).path("part").path("type").asText());
            JsonNode item = frames.get(11).path("item");
            assertEquals("completed", item.path("status").asText());
            assertEquals("assistant", item.path("role").asText());
            assertEquals("output_text", item.path("content").path(0).path("type").asText());
            assertEquals(text, item.path("content").path(0).path("text").asText());
            JsonNode done = frames.get(13).path("response");
            assertEquals("completed", done.path("status").asText());
            assertEquals(responseId, done.path("id").asText());
            assertEquals(5, done.path("usage").path("output_tokens").asInt());
            int input = done.path("usage").path("input_tokens").asInt();
            assertTrue(input >= 1);
            assertEquals(input + 5, done.path("usage").path("total_tokens").asInt());
            assertEquals(text, done.path("output").path(0).path("content").path(0).path("text").asText());
            assertEquals("5", done.path("metadata").path("sim_tokens").asText());
        }
    }

    @Test
    void every_server_event_has_a_unique_event_id() throws Exception {
        try (RealtimeTestClient client = RealtimeTestClient.connect(ws, simulator)) {
            List<JsonNode> frames = new java.util.ArrayList<>();
            frames.add(client.expect("session.created"));
            client.send(RealtimeTestClient.userText("ids"));
            client.send(RealtimeTestClient.responseCreate(fast(20)));
            frames.addAll(client.until("response.done"));

            Set<String> ids = new HashSet<>();
            for (JsonNode frame : frames) {
                assertTrue(ids.add(frame.path("event_id").asText()), "duplicate event_id in " + frame);
                assertTrue(frame.path("event_id").asText().startsWith("event_"));
            }
        }
    }

    @Test
    void the_same_conversation_gets_the_same_text_as_the_chat_completions_endpoint() throws Exception {
        String question = "What does the simulator say?";
        String realtimeText;
        try (RealtimeTestClient client = RealtimeTestClient.connect(ws, simulator)) {
            client.expect("session.created");
            ObjectNode update = RealtimeTestClient.event("session.update");
            update.putObject("session").put("type", "realtime").put("instructions", "You are terse.");
            client.send(update);
            client.expect("session.updated");
            client.send(RealtimeTestClient.userText(question));
            client.send(RealtimeTestClient.responseCreate(fast(40)));
            realtimeText = RealtimeTestClient.deltas(client.until("response.done"), "response.output_text.delta");
        }

        String chatText = StreamedCompletion.parse(http.postChat(simulator,
                ChatBodies.fastStream(question, Map.of("sim_tokens", "40"))).getContentAsString()).text();

        assertEquals(chatText, realtimeText);
        assertFalse(realtimeText.isEmpty());
    }

    @Test
    void two_sessions_with_the_same_events_get_the_same_text() throws Exception {
        assertEquals(answer("Tell me about rivers"), answer("Tell me about rivers"));
        assertFalse(answer("Tell me about rivers").equals(answer("Tell me about harbors")));
    }

    @Test
    void max_output_tokens_ends_the_response_incomplete() throws Exception {
        try (RealtimeTestClient client = RealtimeTestClient.connect(ws, simulator)) {
            client.expect("session.created");
            client.send(RealtimeTestClient.userText("Capped"));
            ObjectNode create = RealtimeTestClient.responseCreate(fast(50));
            ((ObjectNode) create.path("response")).put("max_output_tokens", 3);
            client.send(create);

            List<JsonNode> frames = client.until("response.done");

            JsonNode done = frames.get(frames.size() - 1).path("response");
            assertEquals("incomplete", done.path("status").asText());
            assertEquals("max_output_tokens", done.path("status_details").path("reason").asText());
            assertEquals(3, done.path("usage").path("output_tokens").asInt());
            assertEquals("incomplete", done.path("output").path(0).path("status").asText());
            assertEquals(3, frames.stream().filter(f -> f.path("type").asText()
                    .equals("response.output_text.delta")).count());
        }
    }

    @Test
    void an_out_of_band_response_reads_its_input_and_leaves_the_conversation_alone() throws Exception {
        try (RealtimeTestClient client = RealtimeTestClient.connect(ws, simulator)) {
            client.expect("session.created");
            ObjectNode create = RealtimeTestClient.responseCreate(fast(8));
            ObjectNode response = (ObjectNode) create.path("response");
            response.put("conversation", "none");
            response.putArray("input").add(RealtimeTestClient.userText("Out of band").path("item"));
            client.send(create);

            List<JsonNode> frames = client.until("response.done");

            assertFalse(RealtimeTestClient.types(frames).contains("conversation.item.added"));
            assertTrue(frames.get(frames.size() - 1).path("response").path("conversation_id").isNull());
            String outOfBand = RealtimeTestClient.deltas(frames, "response.output_text.delta");
            assertEquals(answer("Out of band", 8), outOfBand);
        }
    }

    @Test
    void responses_are_counted_in_the_stats() throws Exception {
        answer("Counted");

        await().atMost(RealtimeTestClient.WAIT).until(() -> simulator.stats().realtimeSessionsClosed() == 1);
        assertEquals(1, simulator.stats().realtimeSessionsOpened());
        assertEquals(1, simulator.stats().realtimeResponses());
        JsonNode stats = SimulatorHttpClient.json(http.get(java.net.URI.create("http://127.0.0.1:"
                + simulator.port() + "/sim/stats")));
        assertEquals(1, stats.path("realtime_responses").asLong());
        assertEquals(0, stats.path("realtime_sessions_active").asLong());
    }

    private String answer(String question) throws Exception {
        return answer(question, 30);
    }

    private String answer(String question, int tokens) throws Exception {
        try (RealtimeTestClient client = RealtimeTestClient.connect(ws, simulator)) {
            client.expect("session.created");
            client.send(RealtimeTestClient.userText(question));
            client.send(RealtimeTestClient.responseCreate(fast(tokens)));
            return RealtimeTestClient.deltas(client.until("response.done"), "response.output_text.delta");
        }
    }

    static Map<String, String> fast(int tokens) {
        return ChatBodies.merge(RealtimeTestClient.FAST, Map.of("sim_tokens", Integer.toString(tokens)));
    }
}
