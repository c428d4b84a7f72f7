package dev.switchboard.bridge.anthropic;

import static dev.switchboard.bridge.anthropic.AnthropicFixtures.RELAXED;
import static dev.switchboard.bridge.anthropic.AnthropicFixtures.SECRET;
import static dev.switchboard.bridge.anthropic.AnthropicFixtures.WAIT;
import static dev.switchboard.bridge.anthropic.AnthropicFixtures.assistantMessage;
import static dev.switchboard.bridge.anthropic.AnthropicFixtures.userMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.bridge.fakeprovider.RecordedRequest;
import dev.switchboard.bridge.fakeprovider.ScriptedProvider;
import dev.switchboard.bridge.upstream.RecordingListener;
import dev.switchboard.bridge.upstream.UpstreamRequest;
import dev.switchboard.protocol.event.ContentPart;
import dev.switchboard.protocol.event.ConversationItem;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the connector sends: the Messages API body and headers, as the fake provider received them. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AnthropicRequestMappingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode WEATHER_SCHEMA = json("{\"type\":\"object\",\"properties\":"
            + "{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}");
    private static HttpClient client;
    private ScriptedProvider provider;

    @BeforeAll
    static void startClient() throws Exception {
        client = new HttpClient();
        client.start();
    }

    @AfterAll
    static void stopClient() throws Exception {
        client.stop();
    }

    @BeforeEach
    void startProvider() throws Exception {
        provider = ScriptedProvider.start();
    }

    @AfterEach
    void stopProvider() {
        provider.close();
    }

    /** Sends {@code request} through {@code connector}, lets it complete, and returns what the provider got. */
    private RecordedRequest send(AnthropicConnector connector, UpstreamRequest request) {
        provider.enqueue(AnthropicEvents.answer(1, "ok"));
        RecordingListener listener = new RecordingListener();
        connector.open(request, listener);
        listener.awaitCompletion(WAIT);
        return provider.takeExchange(WAIT).request();
    }

    private RecordedRequest send(UpstreamRequest request) {
        return send(AnthropicFixtures.connector(client, provider.baseUri(), RELAXED), request);
    }

    private JsonNode body(UpstreamRequest request) {
        return json(send(request).body());
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static ConversationItem item(String type, String callId, String name, String arguments, String output) {
        return new ConversationItem(Optional.of("item_" + type), type, Optional.empty(), Optional.empty(),
                Optional.empty(), List.of(), Optional.ofNullable(callId), Optional.ofNullable(name),
                Optional.ofNullable(arguments), Optional.ofNullable(output));
    }

    private static ConversationItem systemMessage(String text) {
        return ConversationItem.message("item_system", "system", "completed",
                List.of(ContentPart.text("input_text", text)));
    }

    private static UpstreamRequest conversation(List<ConversationItem> items) {
        return new UpstreamRequest("claude-test", "", items, Map.of(), OptionalInt.empty(), List.of(),
                Optional.empty());
    }

    private static UpstreamRequest withTools(List<JsonNode> tools, Optional<JsonNode> toolChoice) {
        return new UpstreamRequest("claude-test", "", List.of(userMessage("Hi")), Map.of(), OptionalInt.empty(),
                tools, toolChoice);
    }

    private static JsonNode realtimeWeatherTool() {
        return json("{\"type\":\"function\",\"name\":\"get_weather\",\"description\":\"Weather by city\","
                + "\"parameters\":" + WEATHER_SCHEMA + "}");
    }

    @Test
    void a_full_realtime_request_becomes_a_streaming_messages_body_with_alternating_merged_roles() {
        UpstreamRequest request = new UpstreamRequest("claude-sonnet-test", "You are terse.",
                List.of(userMessage("Weather in Paris and Oslo?"), systemMessage("Answer in French."),
                        assistantMessage("Let me check."),
                        item("function_call", "toolu_1", "get_weather", "{\"city\":\"Paris\"}", null),
                        item("function_call", "toolu_2", "get_weather", "{\"city\":", null),
                        item("function_call_output", "toolu_1", null, null, "{\"temp_c\":21}"),
                        item("function_call_output", "toolu_2", null, null, "unknown city"),
                        userMessage("Thanks."), userMessage("And tomorrow?"), assistantMessage("Demain, il")),
                Map.of("trace", "t-1"), OptionalInt.of(256), List.of(realtimeWeatherTool()),
                Optional.of(json("{\"type\":\"function\",\"name\":\"get_weather\"}")));

        JsonNode expected = json("{"
                + "\"model\":\"claude-sonnet-test\","
                + "\"max_tokens\":256,"
                + "\"stream\":true,"
                + "\"system\":\"You are terse.\\n\\nAnswer in French.\","
                + "\"messages\":["
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Weather in Paris and Oslo?\"}]},"
                + "{\"role\":\"assistant\",\"content\":["
                + "{\"type\":\"text\",\"text\":\"Let me check.\"},"
                + "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}},"
                + "{\"type\":\"tool_use\",\"id\":\"toolu_2\",\"name\":\"get_weather\",\"input\":{}}]},"
                + "{\"role\":\"user\",\"content\":["
                + "{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\",\"content\":\"{\\\"temp_c\\\":21}\"},"
                + "{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_2\",\"content\":\"unknown city\"},"
                + "{\"type\":\"text\",\"text\":\"Thanks.\"},"
                + "{\"type\":\"text\",\"text\":\"And tomorrow?\"}]},"
                + "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"Demain, il\"}]}],"
                + "\"tools\":[{\"name\":\"get_weather\",\"description\":\"Weather by city\",\"input_schema\":"
                + WEATHER_SCHEMA + "}],"
                + "\"tool_choice\":{\"type\":\"tool\",\"name\":\"get_weather\"}"
                + "}");
        assertEquals(expected, body(request));
    }

    @Test
    void the_request_is_a_post_to_messages_with_the_key_version_json_and_event_stream_headers() {
        RecordedRequest received = send(AnthropicFixtures.simpleRequest());

        assertEquals("POST", received.method());
        assertEquals("/v1/messages", received.path());
        assertEquals(Optional.of(SECRET), received.header("x-api-key"));
        assertEquals(Optional.of("2023-06-01"), received.header("anthropic-version"));
        assertEquals(Optional.of("text/event-stream"), received.header("Accept"));
        assertEquals("application/json", received.header("Content-Type").orElse("").split(";")[0].trim());
        assertEquals(Optional.empty(), received.header("Authorization"));
        assertEquals(Optional.empty(), received.header(AnthropicConnector.METADATA_HEADER));
    }

    @Test
    void metadata_travels_as_a_json_header_and_never_in_the_body() {
        Map<String, String> metadata = Map.of("sim_tokens", "20", "trace", "t-1",
                "note", "Grüße\r\nx-injected: yes");
        UpstreamRequest request = new UpstreamRequest("claude-test", "", List.of(userMessage("Hi")), metadata,
                OptionalInt.empty(), List.of(), Optional.empty());

        RecordedRequest received = send(request);

        String header = received.header(AnthropicConnector.METADATA_HEADER).orElseThrow();
        assertEquals(JSON.valueToTree(metadata), json(header));
        assertTrue(header.chars().allMatch(c -> c >= 0x20 && c < 0x7f), () -> "not printable ASCII: " + header);
        assertEquals(Optional.empty(), received.header("x-injected"));
        assertFalse(json(received.body()).has("metadata"), received::body);
    }

    @Test
    void a_configured_api_version_is_sent() {
        AnthropicConnector connector = new AnthropicConnector(new AnthropicConfig("anthropic",
                URI.create(provider.baseUri() + "/v1"), Optional.of(SECRET), RELAXED, "2099-01-01"), client);

        assertEquals(Optional.of("2099-01-01"),
                send(connector, AnthropicFixtures.simpleRequest()).header("anthropic-version"));
    }

    @Test
    void a_base_uri_with_a_trailing_slash_gives_the_same_path() {
        AnthropicConnector connector = new AnthropicConnector(new AnthropicConfig("anthropic",
                URI.create(provider.baseUri() + "/v1/"), Optional.of(SECRET), RELAXED), client);

        assertEquals("/v1/messages", send(connector, AnthropicFixtures.simpleRequest()).path());
    }

    @Test
    void without_a_key_no_api_key_header_is_sent() {
        AnthropicConnector connector = new AnthropicConnector(new AnthropicConfig("local",
                URI.create(provider.baseUri() + "/v1"), Optional.empty(), RELAXED), client);

        assertEquals(Optional.empty(), send(connector, AnthropicFixtures.simpleRequest()).header("x-api-key"));
    }

    @Test
    void unset_options_are_left_out_and_max_tokens_defaults_to_4096() {
        JsonNode body = body(conversation(List.of(userMessage("Hi"), item("item_reference", null, null, null, null))));

        assertEquals(4096, body.get("max_tokens").asInt());
        assertEquals(json("[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hi\"}]}]"),
                body.get("messages"));
        for (String absent : List.of("system", "metadata", "tools", "tool_choice")) {
            assertFalse(body.has(absent), () -> absent + " should be absent: " + body);
        }
    }

    @Test
    void a_trailing_assistant_message_is_sent_as_is_to_be_continued() {
        JsonNode body = body(conversation(List.of(userMessage("Tell me a story."),
                assistantMessage("Once upon a time, "))));

        JsonNode last = body.get("messages").get(body.get("messages").size() - 1);
        assertEquals(json("{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"Once upon a time, \"}]}"),
                last);
    }

    @Test
    void tool_results_go_ahead_of_text_in_a_user_message_as_anthropic_requires() {
        JsonNode body = body(conversation(List.of(userMessage("Weather?"),
                item("function_call", "toolu_1", "get_weather", "{}", null), userMessage("Hurry up."),
                item("function_call_output", "toolu_1", null, null, "sunny"))));

        assertEquals(json("[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\",\"content\":\"sunny\"},"
                + "{\"type\":\"text\",\"text\":\"Hurry up.\"}]"), body.get("messages").get(2).get("content"));
    }

    @Test
    void items_without_text_are_left_out_and_the_roles_still_alternate() {
        ConversationItem silentAssistant = ConversationItem.message("item_audio", "assistant", "completed",
                List.of(new ContentPart("audio", Optional.empty(), Optional.empty())));

        JsonNode body = body(conversation(List.of(userMessage("One."), silentAssistant, userMessage("Two."))));

        assertEquals(json("[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"One.\"},"
                + "{\"type\":\"text\",\"text\":\"Two.\"}]}]"), body.get("messages"));
    }

    @Test
    void function_call_arguments_that_are_not_a_json_object_become_an_empty_input() {
        JsonNode body = body(conversation(List.of(userMessage("Go."),
                item("function_call", "toolu_1", "a", "[1,2]", null), item("function_call", "toolu_2", "b", null, null),
                item("function_call", "toolu_3", "c", "{\"ok\":true}", null))));

        JsonNode blocks = body.get("messages").get(1).get("content");
        assertEquals(json("{}"), blocks.get(0).get("input"));
        assertEquals(json("{}"), blocks.get(1).get("input"));
        assertEquals(json("{\"ok\":true}"), blocks.get(2).get("input"));
    }

    @ParameterizedTest(name = "{0} becomes {1}")
    @CsvSource(delimiter = '|', value = {
        "\"auto\"                                                 | {\"type\":\"auto\"}",
        "\"required\"                                             | {\"type\":\"any\"}",
        "\"none\"                                                 | {\"type\":\"none\"}",
        "{\"type\":\"function\",\"name\":\"pick\"}                | {\"type\":\"tool\",\"name\":\"pick\"}",
        "{\"type\":\"function\",\"function\":{\"name\":\"pick\"}} | {\"type\":\"tool\",\"name\":\"pick\"}"
    })
    void the_tool_choice_is_mapped(String realtime, String anthropic) {
        JsonNode body = body(withTools(List.of(realtimeWeatherTool()), Optional.of(json(realtime))));

        assertEquals(json(anthropic), body.get("tool_choice"));
    }

    @Test
    void a_tool_choice_without_tools_or_that_is_not_understood_is_left_out() {
        assertFalse(body(withTools(List.of(), Optional.of(json("\"required\"")))).has("tool_choice"));
        assertFalse(body(withTools(List.of(realtimeWeatherTool()), Optional.of(json("\"sometimes\""))))
                .has("tool_choice"));
    }

    @Test
    void chat_shaped_and_anthropic_shaped_tools_are_accepted_and_a_tool_without_parameters_gets_an_empty_schema() {
        JsonNode chatTool = json("{\"type\":\"function\",\"function\":{\"name\":\"lookup\",\"description\":\"Look up\","
                + "\"parameters\":" + WEATHER_SCHEMA + "}}");
        JsonNode anthropicTool = json("{\"name\":\"native\",\"input_schema\":{\"type\":\"object\"}}");
        JsonNode bareTool = json("{\"type\":\"function\",\"name\":\"ping\"}");

        JsonNode body = body(withTools(List.of(chatTool, anthropicTool, bareTool), Optional.empty()));

        assertEquals(json("[{\"name\":\"lookup\",\"description\":\"Look up\",\"input_schema\":" + WEATHER_SCHEMA + "},"
                + "{\"name\":\"native\",\"input_schema\":{\"type\":\"object\"}},"
                + "{\"name\":\"ping\",\"input_schema\":{\"type\":\"object\",\"properties\":{}}}]"), body.get("tools"));
    }

    @Test
    void the_config_never_prints_the_key_and_refuses_a_blank_version() {
        AnthropicConfig config = new AnthropicConfig("anthropic", URI.create("https://api.anthropic.com/v1"),
                Optional.of(SECRET), RELAXED);

        assertFalse(config.toString().contains(SECRET), config::toString);
        assertEquals(AnthropicConfig.DEFAULT_VERSION, config.anthropicVersion());
        assertEquals("2023-06-01", AnthropicConfig.DEFAULT_VERSION);
        assertThrows(IllegalArgumentException.class, () -> new AnthropicConfig("anthropic",
                URI.create("https://api.anthropic.com/v1"), Optional.empty(), RELAXED, " "));
        assertThrows(IllegalArgumentException.class, () -> new AnthropicConfig("",
                URI.create("https://api.anthropic.com/v1"), Optional.empty(), RELAXED));
    }
}
