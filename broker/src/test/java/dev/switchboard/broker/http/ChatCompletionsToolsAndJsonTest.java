package dev.switchboard.broker.http;

import static dev.switchboard.broker.http.ChatHttp.JSON;
import static dev.switchboard.broker.http.ChatHttp.fast;
import static dev.switchboard.broker.http.ChatHttp.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** Non-streaming answers and tool calls, streamed and not, through the dev broker and its simulator. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ChatCompletionsToolsAndJsonTest {
    private static final String QUESTION = "What is the weather in Lyon?";
    private static final Map<String, String> CALL_TOOL = Map.of("sim_tool_call", "get_weather", "sim_ttft_ms", "0",
            "sim_tokens_per_second", "100000");
    private static Broker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = Broker.start(new ConfigLoader(System::getenv).loadDev()
                .withListen(new BrokerConfig.Listen("127.0.0.1", 0)));
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @Test
    void a_non_streaming_request_gets_one_chat_completion_with_the_same_text_as_the_stream() throws Exception {
        HttpResponse<String> whole = ChatHttp.post(broker, request("sim-chat", QUESTION, fast(12), false));
        HttpResponse<String> streamed = ChatHttp.post(broker, request("sim-chat", QUESTION, fast(12), true));

        assertEquals(200, whole.statusCode(), whole.body());
        assertEquals("application/json", whole.headers().firstValue("content-type").orElse(""));
        JsonNode completion = ChatHttp.json(whole);
        assertTrue(completion.path("id").asText().startsWith("chatcmpl-resp_"), completion::toString);
        assertEquals("chat.completion", completion.path("object").asText());
        assertTrue(completion.path("created").asLong() > 0);
        assertEquals("sim-chat", completion.path("model").asText());
        assertEquals(1, completion.path("choices").size());
        JsonNode choice = completion.path("choices").path(0);
        assertEquals(0, choice.path("index").asInt());
        assertEquals("assistant", choice.path("message").path("role").asText());
        assertFalse(choice.path("message").has("tool_calls"));
        assertEquals("stop", choice.path("finish_reason").asText());
        assertEquals(12, completion.path("usage").path("completion_tokens").asLong());
        assertEquals(completion.path("usage").path("prompt_tokens").asLong() + 12,
                completion.path("usage").path("total_tokens").asLong());
        assertEquals(Sse.text(Sse.chunks(Sse.parse(streamed.body()))),
                choice.path("message").path("content").asText());
    }

    @Test
    void max_tokens_cuts_the_answer_with_finish_reason_length() throws Exception {
        ObjectNode body = request("sim-chat", QUESTION, fast(50), false).put("max_tokens", 4);
        ObjectNode streamed = request("sim-chat", QUESTION, fast(50), true).put("max_completion_tokens", 4);

        JsonNode completion = ChatHttp.json(ChatHttp.post(broker, body));
        List<JsonNode> chunks = Sse.chunks(Sse.parse(ChatHttp.post(broker, streamed).body()));

        assertEquals("length", completion.path("choices").path(0).path("finish_reason").asText());
        assertEquals(4, completion.path("usage").path("completion_tokens").asLong());
        assertEquals("length", chunks.get(chunks.size() - 1).path("choices").path(0).path("finish_reason").asText());
    }

    @Test
    void a_streamed_tool_call_arrives_as_tool_calls_deltas_and_ends_with_finish_reason_tool_calls()
            throws Exception {
        ObjectNode body = request("sim-chat", QUESTION, CALL_TOOL, true);
        body.set("tools", ChatHttp.weatherTool());

        HttpResponse<String> response = ChatHttp.post(broker, body);

        assertEquals(200, response.statusCode(), response.body());
        List<JsonNode> chunks = Sse.chunks(Sse.parse(response.body()));
        JsonNode first = chunks.get(0).path("choices").path(0).path("delta");
        assertEquals("assistant", first.path("role").asText());
        assertTrue(first.path("content").isNull(), first::toString);
        JsonNode start = first.path("tool_calls").path(0);
        assertEquals(0, start.path("index").asInt());
        assertTrue(start.path("id").asText().startsWith("call_"), start::toString);
        assertEquals("function", start.path("type").asText());
        assertEquals("get_weather", start.path("function").path("name").asText());
        assertEquals("", start.path("function").path("arguments").asText());
        StringBuilder arguments = new StringBuilder();
        for (JsonNode chunk : chunks.subList(1, chunks.size() - 1)) {
            JsonNode call = chunk.path("choices").path(0).path("delta").path("tool_calls").path(0);
            assertEquals(0, call.path("index").asInt());
            assertFalse(call.has("id"), call::toString);
            arguments.append(call.path("function").path("arguments").asText());
        }
        assertTrue(JSON.readTree(arguments.toString()).path("city").isTextual(), arguments::toString);
        assertEquals("tool_calls",
                chunks.get(chunks.size() - 1).path("choices").path(0).path("finish_reason").asText());
    }

    @Test
    void a_non_streaming_tool_call_then_the_tool_result_gives_a_text_answer() throws Exception {
        ObjectNode body = request("sim-chat", QUESTION, CALL_TOOL, false);
        body.set("tools", ChatHttp.weatherTool());

        JsonNode completion = ChatHttp.json(ChatHttp.post(broker, body));

        JsonNode choice = completion.path("choices").path(0);
        assertEquals("tool_calls", choice.path("finish_reason").asText(), completion::toString);
        JsonNode message = choice.path("message");
        assertTrue(message.path("content").isNull(), message::toString);
        JsonNode call = message.path("tool_calls").path(0);
        assertEquals("function", call.path("type").asText());
        assertEquals("get_weather", call.path("function").path("name").asText());
        assertTrue(JSON.readTree(call.path("function").path("arguments").asText()).has("city"));

        ObjectNode followUp = request("sim-chat", QUESTION, CALL_TOOL, false);
        followUp.set("tools", ChatHttp.weatherTool());
        ArrayNode messages = (ArrayNode) followUp.get("messages");
        messages.add(message);
        messages.addObject().put("role", "tool").put("tool_call_id", call.path("id").asText())
                .put("content", "{\"temp_c\":21}");
        JsonNode answer = ChatHttp.json(ChatHttp.post(broker, followUp));

        JsonNode answered = answer.path("choices").path(0);
        assertEquals("stop", answered.path("finish_reason").asText(), answer::toString);
        assertFalse(answered.path("message").path("content").asText().isEmpty());
        assertFalse(answered.path("message").has("tool_calls"));
    }

    @Test
    void system_and_developer_messages_become_instructions_and_change_the_answer() throws Exception {
        ObjectNode plain = request("sim-chat", QUESTION, fast(10), false);
        ObjectNode instructed = request("sim-chat", QUESTION, fast(10), false);
        ((ArrayNode) instructed.get("messages")).insertObject(0).put("role", "developer")
                .put("content", "Answer in one word.");

        JsonNode a = ChatHttp.json(ChatHttp.post(broker, plain));
        JsonNode b = ChatHttp.json(ChatHttp.post(broker, instructed));

        assertEquals("stop", b.path("choices").path(0).path("finish_reason").asText(), b::toString);
        assertFalse(a.path("choices").path(0).path("message").path("content").asText()
                .equals(b.path("choices").path(0).path("message").path("content").asText()));
    }
}
