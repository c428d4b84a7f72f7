package dev.switchboard.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ToolCallTest {

    private static final Map<String, String> CALL_WEATHER =
            ChatBodies.merge(ChatBodies.FAST, Map.of("sim_tool_call", "get_weather"));
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
    void openai_stream_opens_the_call_then_streams_argument_fragments_then_finishes_with_tool_calls()
            throws Exception {
        ObjectNode body = withWeatherTool(ChatBodies.chat("Weather in a city?", true, CALL_WEATHER));
        body.putObject("stream_options").put("include_usage", true);

        StreamedCompletion stream = StreamedCompletion.parse(http.postChat(simulator, body.toString())
                .getContentAsString());

        List<JsonNode> chunks = stream.chunks();
        JsonNode opening = chunks.get(0).path("choices").path(0).path("delta");
        assertEquals("assistant", opening.path("role").asText());
        assertTrue(opening.path("content").isNull());
        JsonNode call = opening.path("tool_calls").path(0);
        assertEquals(0, call.path("index").asInt());
        assertTrue(call.path("id").asText().matches("call_[0-9a-f]{24}"), call.toString());
        assertEquals("function", call.path("type").asText());
        assertEquals("{\"name\":\"get_weather\",\"arguments\":\"\"}", call.path("function").toString());
        List<JsonNode> fragments = chunks.subList(1, chunks.size() - 2);
        assertTrue(fragments.size() >= 3, "at least three argument fragments");
        StringBuilder arguments = new StringBuilder();
        for (JsonNode chunk : fragments) {
            JsonNode delta = chunk.path("choices").path(0).path("delta");
            assertEquals(List.of("tool_calls"), fieldNames(delta));
            assertEquals(List.of("index", "function"), fieldNames(delta.path("tool_calls").path(0)));
            arguments.append(delta.path("tool_calls").path(0).path("function").path("arguments").asText());
        }
        JsonNode args = SimulatorHttpClient.JSON.readTree(arguments.toString());
        assertTrue(ToolCall.CITIES.contains(args.path("city").asText()), args.toString());
        assertTrue(args.path("days").asInt() >= 1 && args.path("days").asInt() <= 7, args.toString());
        assertEquals("tool_calls", stream.finishReason());
        assertEquals(fragments.size(), chunks.get(chunks.size() - 1).path("usage").path("completion_tokens").asInt());
    }

    @Test
    void the_same_request_calls_the_tool_with_the_same_id_and_arguments() throws Exception {
        String body = withWeatherTool(ChatBodies.chat("Weather?", false, CALL_WEATHER)).toString();

        JsonNode first = SimulatorHttpClient.json(http.postChat(simulator, body));
        JsonNode second = SimulatorHttpClient.json(http.postChat(simulator, body));

        JsonNode call = first.path("choices").path(0).path("message").path("tool_calls").path(0);
        assertEquals(call, second.path("choices").path(0).path("message").path("tool_calls").path(0));
        assertEquals("get_weather", call.path("function").path("name").asText());
        assertTrue(SimulatorHttpClient.JSON.readTree(call.path("function").path("arguments").asText()).has("city"));
        assertTrue(first.path("choices").path(0).path("message").path("content").isNull());
        assertEquals("tool_calls", first.path("choices").path(0).path("finish_reason").asText());
    }

    @Test
    void a_tool_call_for_a_function_not_in_tools_is_rejected_with_400() throws Exception {
        ObjectNode body = withWeatherTool(ChatBodies.chat("Weather?", true,
                ChatBodies.merge(ChatBodies.FAST, Map.of("sim_tool_call", "get_time"))));
        ContentResponse unknown = http.postChat(simulator, body.toString());
        ContentResponse noTools = http.postChat(simulator, ChatBodies.chat("Weather?", true, CALL_WEATHER).toString());

        for (ContentResponse response : List.of(unknown, noTools)) {
            assertEquals(400, response.getStatus());
            JsonNode error = SimulatorHttpClient.json(response).path("error");
            assertEquals("metadata.sim_tool_call", error.path("param").asText());
        }
    }

    @Test
    void a_tool_result_as_last_message_is_answered_with_text_seeded_by_the_whole_conversation() throws Exception {
        ObjectNode body = withWeatherTool(ChatBodies.chat("Weather?", true, CALL_WEATHER));
        ArrayNode messages = (ArrayNode) body.path("messages");
        ObjectNode assistant = messages.addObject().put("role", "assistant");
        assistant.putNull("content");
        assistant.putArray("tool_calls").addObject().put("id", "call_1").put("type", "function")
                .putObject("function").put("name", "get_weather").put("arguments", "{}");
        messages.addObject().put("role", "tool").put("tool_call_id", "call_1").put("content", "Sunny, 21 C");

        StreamedCompletion answer = StreamedCompletion.parse(http.postChat(simulator, body.toString())
                .getContentAsString());
        ((ObjectNode) messages.get(messages.size() - 1)).put("content", "Rainy, 9 C");
        StreamedCompletion otherAnswer = StreamedCompletion.parse(http.postChat(simulator, body.toString())
                .getContentAsString());

        assertEquals("stop", answer.finishReason());
        assertFalse(answer.text().isBlank());
        assertFalse(answer.text().equals(otherAnswer.text()), "the tool result seeds the text");
    }

    @Test
    void anthropic_stream_is_a_tool_use_block_with_input_json_deltas_and_stop_reason_tool_use() throws Exception {
        ObjectNode body = AnthropicBodies.messages("Weather in a city?", true, 1024);
        body.putArray("tools").addObject().put("name", "get_weather").put("description", "Weather by city")
                .putObject("input_schema").put("type", "object");

        AnthropicStream stream = AnthropicStream.parse(http.postMessages(simulator.baseUri(), body.toString(),
                CALL_WEATHER).send().getContentAsString());

        JsonNode block = stream.first("content_block_start").path("content_block");
        assertEquals("tool_use", block.path("type").asText());
        assertTrue(block.path("id").asText().matches("toolu_[0-9a-f]{24}"), block.toString());
        assertEquals("get_weather", block.path("name").asText());
        assertEquals("{}", block.path("input").toString());
        assertTrue(stream.deltas().size() >= 3);
        for (JsonNode delta : stream.deltas()) {
            assertEquals("input_json_delta", delta.path("delta").path("type").asText());
        }
        assertTrue(SimulatorHttpClient.JSON.readTree(stream.text()).has("days"));
        assertEquals("tool_use", stream.first("message_delta").path("delta").path("stop_reason").asText());
        JsonNode openAi = SimulatorHttpClient.json(http.postChat(simulator,
                withWeatherTool(ChatBodies.chat("Weather in a city?", false, CALL_WEATHER)).toString()));
        assertEquals(openAi.path("choices").path(0).path("message").path("tool_calls").path(0).path("function")
                .path("arguments").asText(), stream.text(), "both APIs call with the same arguments");
    }

    @Test
    void anthropic_tool_result_in_the_last_user_message_is_answered_with_text() throws Exception {
        ObjectNode body = AnthropicBodies.messages("Weather?", true, 1024);
        body.putArray("tools").addObject().put("name", "get_weather");
        ArrayNode messages = AnthropicBodies.messagesOf(body);
        ObjectNode toolUse = messages.addObject().put("role", "assistant").putArray("content").addObject();
        toolUse.put("type", "tool_use").put("id", "toolu_1").put("name", "get_weather").putObject("input");
        messages.addObject().put("role", "user").putArray("content").addObject().put("type", "tool_result")
                .put("tool_use_id", "toolu_1").put("content", "Sunny, 21 C");

        AnthropicStream stream = AnthropicStream.parse(http.postMessages(simulator.baseUri(), body.toString(),
                CALL_WEATHER).send().getContentAsString());

        assertEquals("text", stream.first("content_block_start").path("content_block").path("type").asText());
        assertEquals("end_turn", stream.first("message_delta").path("delta").path("stop_reason").asText());
        assertFalse(stream.text().isBlank());
    }

    private static ObjectNode withWeatherTool(ObjectNode body) {
        ObjectNode function = body.putArray("tools").addObject().put("type", "function").putObject("function");
        function.put("name", "get_weather").putObject("parameters").put("type", "object");
        return body;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
