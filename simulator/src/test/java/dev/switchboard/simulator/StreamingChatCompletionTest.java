package dev.switchboard.simulator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class StreamingChatCompletionTest {

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
    void stream_is_role_chunk_then_content_chunks_then_finish_chunk_then_done() throws Exception {
        ContentResponse response = http.postChat(simulator, ChatBodies.fastStream("Hello", Map.of("sim_tokens", "12")));

        assertEquals(200, response.getStatus());
        assertEquals("text/event-stream", response.getHeaders().get(HttpHeader.CONTENT_TYPE));
        List<JsonNode> chunks = StreamedCompletion.parse(response.getContentAsString()).chunks();
        assertEquals(1 + 12 + 1, chunks.size());
        JsonNode role = chunks.get(0);
        assertEquals("{\"role\":\"assistant\",\"content\":\"\"}",
                role.path("choices").path(0).path("delta").toString());
        assertTrue(role.path("choices").path(0).path("finish_reason").isNull());
        for (JsonNode content : chunks.subList(1, 13)) {
            JsonNode choice = content.path("choices").path(0);
            assertEquals(List.of("content"), fieldNames(choice.path("delta")));
            assertFalse(choice.path("delta").path("content").asText().isEmpty());
            assertTrue(choice.path("finish_reason").isNull());
            assertTrue(choice.path("logprobs").isNull());
        }
        JsonNode finish = chunks.get(13).path("choices").path(0);
        assertEquals("{}", finish.path("delta").toString());
        assertEquals("stop", finish.path("finish_reason").asText());
    }

    @Test
    void every_chunk_shares_the_envelope_and_has_no_usage_field_unless_asked() throws Exception {
        ContentResponse response = http.postChat(simulator, ChatBodies.fastStream("Hello", Map.of("sim_tokens", "5")));

        List<JsonNode> chunks = StreamedCompletion.parse(response.getContentAsString()).chunks();
        String id = chunks.get(0).path("id").asText();
        assertTrue(id.matches("chatcmpl-[0-9a-f]{24}"), id);
        for (JsonNode chunk : chunks) {
            assertEquals(List.of("id", "object", "created", "model", "system_fingerprint", "choices"),
                    fieldNames(chunk));
            assertEquals(id, chunk.path("id").asText());
            assertEquals("chat.completion.chunk", chunk.path("object").asText());
            assertEquals(chunks.get(0).path("created").asLong(), chunk.path("created").asLong());
            assertEquals(SimulatorModels.SIM_CHAT, chunk.path("model").asText());
            assertEquals("fp_sim", chunk.path("system_fingerprint").asText());
            assertEquals(0, chunk.path("choices").path(0).path("index").asInt());
        }
    }

    @Test
    void any_model_name_is_echoed_and_escaped_in_every_chunk() throws Exception {
        ObjectNode body = ChatBodies.chat("Hello", true, ChatBodies.merge(ChatBodies.FAST, Map.of("sim_tokens", "2")));
        body.put("model", "my \"odd\"\nmodel\u2028é");

        List<JsonNode> chunks = StreamedCompletion.parse(http.postChat(simulator, body.toString())
                .getContentAsString()).chunks();

        for (JsonNode chunk : chunks) {
            assertEquals("my \"odd\"\nmodel\u2028é", chunk.path("model").asText());
        }
    }

    @Test
    void include_usage_adds_a_usage_chunk_before_done_and_null_usage_on_every_other_chunk() throws Exception {
        ObjectNode body = ChatBodies.chat("Count my tokens", true, ChatBodies.merge(ChatBodies.FAST,
                Map.of("sim_tokens", "7")));
        body.putObject("stream_options").put("include_usage", true);

        StreamedCompletion stream =
                StreamedCompletion.parse(http.postChat(simulator, body.toString()).getContentAsString());

        List<JsonNode> chunks = stream.chunks();
        JsonNode usageChunk = chunks.get(chunks.size() - 1);
        assertEquals(0, usageChunk.path("choices").size());
        assertTrue(usageChunk.path("choices").isArray());
        JsonNode usage = usageChunk.path("usage");
        int promptTokens = usage.path("prompt_tokens").asInt();
        assertEquals(("You are terse.".length() + "Count my tokens".length()) / 4, promptTokens);
        assertEquals(7, usage.path("completion_tokens").asInt());
        assertEquals(promptTokens + 7, usage.path("total_tokens").asInt());
        for (JsonNode chunk : chunks.subList(0, chunks.size() - 1)) {
            assertTrue(chunk.has("usage") && chunk.path("usage").isNull(), chunk::toString);
        }
        assertEquals("stop", stream.finishReason());
    }

    @Test
    void the_same_request_streams_identical_text_every_time() throws Exception {
        String body = ChatBodies.fastStream("Tell me about rivers", Map.of());

        String first = StreamedCompletion.parse(http.postChat(simulator, body).getContentAsString()).text();
        String second = StreamedCompletion.parse(http.postChat(simulator, body).getContentAsString()).text();

        assertFalse(first.isBlank());
        assertEquals(first, second);
    }

    @Test
    void different_messages_stream_different_text() throws Exception {
        String rivers = StreamedCompletion.parse(http.postChat(simulator,
                ChatBodies.fastStream("Tell me about rivers", Map.of())).getContentAsString()).text();
        String mountains = StreamedCompletion.parse(http.postChat(simulator,
                ChatBodies.fastStream("Tell me about mountains", Map.of())).getContentAsString()).text();

        assertNotEquals(rivers, mountains);
    }

    @Test
    void default_length_is_between_150_and_350_tokens() throws Exception {
        StreamedCompletion stream = StreamedCompletion.parse(
                http.postChat(simulator, ChatBodies.fastStream("How long?", Map.of())).getContentAsString());

        int tokens = stream.contentChunks().size();
        assertTrue(tokens >= 150 && tokens <= 350, "tokens: " + tokens);
    }

    @Test
    void sim_tokens_sets_the_exact_number_of_content_chunks() throws Exception {
        for (int tokens : new int[] {0, 1, 64, 65, 1000}) {
            StreamedCompletion stream = StreamedCompletion.parse(http.postChat(simulator,
                    ChatBodies.fastStream("Exact", Map.of("sim_tokens", Integer.toString(tokens))))
                    .getContentAsString());

            assertEquals(tokens, stream.contentChunks().size(), "sim_tokens=" + tokens);
            assertEquals("stop", stream.finishReason());
        }
    }

    @Test
    void max_tokens_cuts_the_stream_short_with_finish_reason_length() throws Exception {
        Map<String, String> fifty = ChatBodies.merge(ChatBodies.FAST, Map.of("sim_tokens", "50"));
        ObjectNode body = ChatBodies.chat("Ramble", true, fifty);
        body.put("max_tokens", 20);
        StreamedCompletion capped = StreamedCompletion.parse(http.postChat(simulator, body.toString())
                .getContentAsString());
        body.remove("max_tokens");
        body.put("max_completion_tokens", 10);
        StreamedCompletion cappedAgain = StreamedCompletion.parse(http.postChat(simulator, body.toString())
                .getContentAsString());
        String full = StreamedCompletion.parse(http.postChat(simulator, ChatBodies.chat("Ramble", true, fifty)
                .toString()).getContentAsString()).text();

        assertEquals(20, capped.contentChunks().size());
        assertEquals("length", capped.finishReason());
        assertEquals(10, cappedAgain.contentChunks().size());
        assertEquals("length", cappedAgain.finishReason());
        assertTrue(full.startsWith(capped.text()), "a capped completion is a prefix of the full one");
    }

    @Test
    void content_given_as_text_parts_generates_the_same_text_as_a_string() throws Exception {
        ObjectNode asString = ChatBodies.chat("Same words", true, ChatBodies.FAST);
        ObjectNode asParts = ChatBodies.chat("ignored", true, ChatBodies.FAST);
        ObjectNode user = (ObjectNode) asParts.path("messages").path(1);
        user.putArray("content").addObject().put("type", "text").put("text", "Same words");

        String fromString = StreamedCompletion.parse(http.postChat(simulator, asString.toString())
                .getContentAsString()).text();
        String fromParts = StreamedCompletion.parse(http.postChat(simulator, asParts.toString())
                .getContentAsString()).text();

        assertEquals(fromString, fromParts);
    }

    @Test
    void paced_stream_delivers_the_same_text_as_an_unpaced_one() throws Exception {
        String paced = StreamedCompletion.parse(http.postChat(simulator, ChatBodies.chat("Pace me", true,
                Map.of("sim_tokens", "6", "sim_ttft_ms", "20", "sim_tokens_per_second", "200")).toString())
                .getContentAsString()).text();
        String unpaced = StreamedCompletion.parse(http.postChat(simulator,
                ChatBodies.fastStream("Pace me", Map.of("sim_tokens", "6"))).getContentAsString()).text();

        assertEquals(unpaced, paced);
    }

    @Test
    void completed_streams_are_counted() throws Exception {
        http.postChat(simulator, ChatBodies.fastStream("One", Map.of("sim_tokens", "3")));
        http.postChat(simulator, ChatBodies.fastStream("Two", Map.of("sim_tokens", "3")));

        // The server counts a stream once its final write completes, which may be just after the client has it.
        await().atMost(Duration.ofSeconds(10)).until(() -> simulator.stats().streamsCompleted() == 2);
        assertEquals(2, simulator.stats().streamsStarted());
        assertEquals(0, simulator.stats().streamsAborted());
        assertEquals(2, simulator.stats().requests());
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void sim_stamp_prefixes_every_delta_with_its_emit_time_and_leaves_the_text_otherwise_equal() throws Exception {
        long before = java.time.Instant.now().toEpochMilli() * 1000;
        ContentResponse plain = http.postChat(simulator, ChatBodies.fastStream("Stamp me", Map.of("sim_tokens", "8")));
        ContentResponse stamped = http.postChat(simulator, ChatBodies.fastStream("Stamp me",
                Map.of("sim_tokens", "8", "sim_stamp", "true")));
        long after = (java.time.Instant.now().toEpochMilli() + 1) * 1000;
        List<JsonNode> plainChunks = StreamedCompletion.parse(plain.getContentAsString()).chunks();
        List<JsonNode> stampedChunks = StreamedCompletion.parse(stamped.getContentAsString()).chunks();
        assertEquals(plainChunks.size(), stampedChunks.size());
        java.util.regex.Pattern marker = java.util.regex.Pattern.compile("^\\[\\[t=(\\d+)]](.*)$",
                java.util.regex.Pattern.DOTALL);
        for (int i = 1; i < plainChunks.size() - 1; i++) {
            String text = stampedChunks.get(i).path("choices").path(0).path("delta").path("content").asText();
            java.util.regex.Matcher m = marker.matcher(text);
            assertTrue(m.matches(), text);
            long micros = Long.parseLong(m.group(1));
            assertTrue(micros >= before && micros <= after, () -> micros + " not within the request");
            assertEquals(plainChunks.get(i).path("choices").path(0).path("delta").path("content").asText(), m.group(2));
        }
        ContentResponse bad = http.postChat(simulator, ChatBodies.fastStream("x", Map.of("sim_stamp", "yes")));
        assertEquals(400, bad.getStatus());
    }
}
