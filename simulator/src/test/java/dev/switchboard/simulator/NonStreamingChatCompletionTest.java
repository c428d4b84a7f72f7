package dev.switchboard.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class NonStreamingChatCompletionTest {

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
    void response_is_a_chat_completion_object() throws Exception {
        ContentResponse response = http.postChat(simulator,
                ChatBodies.chat("Describe a harbor", false, Map.of("sim_tokens", "25", "sim_ttft_ms", "0"))
                        .toString());

        assertEquals(200, response.getStatus());
        assertEquals("application/json", response.getHeaders().get(HttpHeader.CONTENT_TYPE));
        JsonNode completion = SimulatorHttpClient.json(response);
        assertTrue(completion.path("id").asText().startsWith("chatcmpl-"));
        assertEquals("chat.completion", completion.path("object").asText());
        assertTrue(completion.path("created").isIntegralNumber());
        assertEquals(SimulatorModels.SIM_CHAT, completion.path("model").asText());
        JsonNode choice = completion.path("choices").path(0);
        assertEquals(1, completion.path("choices").size());
        assertEquals(0, choice.path("index").asInt());
        assertEquals("assistant", choice.path("message").path("role").asText());
        assertTrue(choice.path("message").path("content").asText().length() > 25);
        assertEquals("stop", choice.path("finish_reason").asText());
        JsonNode usage = completion.path("usage");
        assertEquals(25, usage.path("completion_tokens").asInt());
        assertEquals(usage.path("prompt_tokens").asInt() + 25, usage.path("total_tokens").asInt());
    }

    @Test
    void non_streamed_content_equals_the_concatenated_streamed_deltas() throws Exception {
        Map<String, String> knobs = ChatBodies.merge(ChatBodies.FAST, Map.of("sim_tokens", "40"));
        String whole = SimulatorHttpClient.json(http.postChat(simulator,
                ChatBodies.chat("Same either way", false, knobs).toString()))
                .path("choices").path(0).path("message").path("content").asText();
        String streamed = StreamedCompletion.parse(http.postChat(simulator,
                ChatBodies.chat("Same either way", true, knobs).toString()).getContentAsString()).text();

        assertEquals(streamed, whole);
    }

    @Test
    void max_completion_tokens_gives_finish_reason_length() throws Exception {
        ObjectNode body = ChatBodies.chat("Go on", false, Map.of("sim_ttft_ms", "0"));
        body.put("max_completion_tokens", 5);

        JsonNode completion = SimulatorHttpClient.json(http.postChat(simulator, body.toString()));

        assertEquals("length", completion.path("choices").path(0).path("finish_reason").asText());
        assertEquals(5, completion.path("usage").path("completion_tokens").asInt());
    }
}
