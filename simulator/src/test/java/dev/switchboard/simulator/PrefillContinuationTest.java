package dev.switchboard.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * A broker that fails over mid-answer sends the partial answer as an assistant prefill; the continuation must be
 * exactly the rest of what the uninterrupted request would have streamed.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class PrefillContinuationTest {

    private static final String QUESTION = "Tell me about harbors";
    private static SimulatorHttpClient http;
    private static ProviderSimulator simulator;

    @BeforeAll
    static void start() throws Exception {
        http = new SimulatorHttpClient();
        simulator = ProviderSimulator.start(SimulatorConfig.loopbackEphemeral());
    }

    @AfterAll
    static void stop() throws Exception {
        simulator.close();
        http.close();
    }

    @Test
    void a_prefill_of_the_first_k_tokens_continues_with_exactly_the_remaining_tokens() throws Exception {
        Map<String, String> knobs = Map.of("sim_tokens", "40");
        List<String> tokens = tokensOf(stream(ChatBodies.chat(QUESTION, true, ChatBodies.merge(ChatBodies.FAST,
                knobs))));
        String full = String.join("", tokens);

        for (int k : new int[] {0, 1, 2, 7, 23, 39, 40}) {
            String prefill = String.join("", tokens.subList(0, k));
            ObjectNode body = withPrefill(ChatBodies.chat(QUESTION, true, ChatBodies.merge(ChatBodies.FAST, knobs)),
                    prefill);
            body.putObject("stream_options").put("include_usage", true);

            StreamedCompletion continuation = stream(body);

            assertEquals(full, prefill + continuation.text(), "k=" + k);
            assertEquals(40 - k, continuation.contentChunks().size(), "k=" + k);
            List<JsonNode> chunks = continuation.chunks();
            assertEquals(40 - k, chunks.get(chunks.size() - 1).path("usage").path("completion_tokens").asInt());
            assertEquals("assistant", chunks.get(0).path("choices").path(0).path("delta").path("role").asText());
            assertEquals("stop", continuation.finishReason());
        }
    }

    @Test
    void a_default_length_answer_continues_to_the_same_default_length() throws Exception {
        List<String> tokens = tokensOf(stream(ChatBodies.chat(QUESTION, true, ChatBodies.FAST)));
        String prefill = String.join("", tokens.subList(0, 100));

        String continuation = stream(withPrefill(ChatBodies.chat(QUESTION, true, ChatBodies.FAST), prefill)).text();

        assertEquals(String.join("", tokens), prefill + continuation);
    }

    @Test
    void max_tokens_caps_the_continuation_not_the_prefill() throws Exception {
        Map<String, String> knobs = ChatBodies.merge(ChatBodies.FAST, Map.of("sim_tokens", "30"));
        List<String> tokens = tokensOf(stream(ChatBodies.chat(QUESTION, true, knobs)));
        ObjectNode body = withPrefill(ChatBodies.chat(QUESTION, true, knobs), String.join("", tokens.subList(0, 10)));
        body.put("max_tokens", 5);

        StreamedCompletion continuation = stream(body);

        assertEquals(String.join("", tokens.subList(10, 15)), continuation.text());
        assertEquals("length", continuation.finishReason());
    }

    @Test
    void a_prefill_that_is_not_a_prefix_gets_fresh_deterministic_text() throws Exception {
        Map<String, String> knobs = ChatBodies.merge(ChatBodies.FAST, Map.of("sim_tokens", "20"));
        List<String> tokens = tokensOf(stream(ChatBodies.chat(QUESTION, true, knobs)));
        String full = String.join("", tokens);
        ObjectNode body = withPrefill(ChatBodies.chat(QUESTION, true, knobs), "Something else entirely");
        String halfToken = tokens.get(0) + tokens.get(1).substring(0, tokens.get(1).length() - 1);

        String first = stream(body).text();
        String second = stream(body).text();
        String fromHalfToken = stream(withPrefill(ChatBodies.chat(QUESTION, true, knobs), halfToken)).text();

        assertEquals(first, second);
        assertEquals(20, stream(body).contentChunks().size());
        assertNotEquals(full, first);
        assertFalse(full.equals(halfToken + fromHalfToken), "a prefill ending mid-token is not a token prefix");
    }

    @Test
    void an_anthropic_continuation_of_an_openai_answer_reproduces_the_openai_text() throws Exception {
        List<String> tokens = tokensOf(stream(ChatBodies.chat(QUESTION, true, ChatBodies.FAST)));
        String full = String.join("", tokens);
        Map<String, String> knobs = Map.of("sim_ttft_ms", "0", "sim_tokens_per_second", "100000");

        String anthropicFull = anthropic(AnthropicBodies.messages(QUESTION, true, 4096), knobs).text();
        for (int k : new int[] {1, 12, tokens.size() - 1}) {
            String prefill = String.join("", tokens.subList(0, k));
            ObjectNode body = AnthropicBodies.messages(QUESTION, true, 4096);
            AnthropicBodies.messagesOf(body).addObject().put("role", "assistant").putArray("content").addObject()
                    .put("type", "text").put("text", prefill);

            AnthropicStream continuation = anthropic(body, knobs);

            assertEquals(full, prefill + continuation.text(), "k=" + k);
            assertEquals(tokens.size() - k,
                    continuation.first("message_delta").path("usage").path("output_tokens").asInt());
        }
        assertEquals(full, anthropicFull, "the same conversation streams the same text on both endpoints");
    }

    private static ObjectNode withPrefill(ObjectNode body, String prefill) {
        ((ArrayNode) body.path("messages")).addObject().put("role", "assistant").put("content", prefill);
        return body;
    }

    private static StreamedCompletion stream(ObjectNode body) throws Exception {
        return StreamedCompletion.parse(http.postChat(simulator, body.toString()).getContentAsString());
    }

    private static AnthropicStream anthropic(ObjectNode body, Map<String, String> knobs) throws Exception {
        return AnthropicStream.parse(http.postMessages(simulator.baseUri(), body.toString(), knobs).send()
                .getContentAsString());
    }

    private static List<String> tokensOf(StreamedCompletion stream) {
        List<String> tokens = new ArrayList<>();
        for (JsonNode chunk : stream.contentChunks()) {
            tokens.add(chunk.path("choices").path(0).path("delta").path("content").asText());
        }
        return tokens;
    }
}
