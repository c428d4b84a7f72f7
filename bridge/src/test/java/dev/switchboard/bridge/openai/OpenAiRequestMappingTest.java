package dev.switchboard.bridge.openai;

import static dev.switchboard.bridge.openai.OpenAiFixtures.RELAXED;
import static dev.switchboard.bridge.openai.OpenAiFixtures.SECRET;
import static dev.switchboard.bridge.openai.OpenAiFixtures.WAIT;
import static dev.switchboard.bridge.openai.OpenAiFixtures.userMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.bridge.fakeprovider.RecordedRequest;
import dev.switchboard.bridge.fakeprovider.ScriptedProvider;
import dev.switchboard.bridge.upstream.RecordingListener;
import dev.switchboard.bridge.upstream.UpstreamOutcome;
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

/** What the connector sends: the chat-completions body and headers, as the fake provider received them. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class OpenAiRequestMappingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
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
    private RecordedRequest send(OpenAiConnector connector, UpstreamRequest request) {
        provider.enqueue(OpenAiChunks.answer(1, "ok"));
        RecordingListener listener = new RecordingListener();
        connector.open(request, listener);
        assertInstanceOf(UpstreamOutcome.Completed.class, listener.awaitEnd(WAIT));
        return provider.takeExchange(WAIT).request();
    }

    private RecordedRequest send(UpstreamRequest request) {
        return send(OpenAiFixtures.connector(client, provider.baseUri(), RELAXED), request);
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    private static ConversationItem item(String type, String callId, String name, String arguments, String output) {
        return new ConversationItem(Optional.of("item_" + type), type, Optional.empty(), Optional.empty(),
                Optional.empty(), List.of(), Optional.ofNullable(callId), Optional.ofNullable(name),
                Optional.ofNullable(arguments), Optional.ofNullable(output));
    }

    @Test
    void a_full_realtime_request_becomes_a_streaming_chat_completions_body() throws Exception {
        ConversationItem assistant = ConversationItem.message("item_a", "assistant", "completed",
                List.of(ContentPart.text("output_text", "Let me check.")));
        JsonNode realtimeTool = json("{\"type\":\"function\",\"name\":\"get_weather\","
                + "\"description\":\"Weather by city\",\"parameters\":{\"type\":\"object\","
                + "\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}");
        UpstreamRequest request = new UpstreamRequest("gpt-4o-mini", "You are terse.",
                List.of(userMessage("Weather in Paris?"), assistant,
                        item("function_call", "call_42", "get_weather", "{\"city\":\"Paris\"}", null),
                        item("function_call_output", "call_42", null, null, "{\"temp_c\":21}"),
                        userMessage("Thanks")),
                Map.of("tenant_tag", "acme", "trace", "t-1"), OptionalInt.of(256), List.of(realtimeTool),
                Optional.of(json("{\"type\":\"function\",\"name\":\"get_weather\"}")));

        RecordedRequest received = send(request);

        JsonNode expected = json("{"
                + "\"model\":\"gpt-4o-mini\","
                + "\"messages\":["
                + "{\"role\":\"system\",\"content\":\"You are terse.\"},"
                + "{\"role\":\"user\",\"content\":\"Weather in Paris?\"},"
                + "{\"role\":\"assistant\",\"content\":\"Let me check.\"},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_42\",\"type\":\"function\","
                + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"call_42\",\"content\":\"{\\\"temp_c\\\":21}\"},"
                + "{\"role\":\"user\",\"content\":\"Thanks\"}],"
                + "\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true},"
                + "\"max_completion_tokens\":256,"
                + "\"metadata\":{\"tenant_tag\":\"acme\",\"trace\":\"t-1\"},"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"description\":\"Weather by city\",\"parameters\":{\"type\":\"object\","
                + "\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}}],"
                + "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}"
                + "}");
        assertEquals(expected, json(received.body()));
    }

    @Test
    void the_request_is_a_post_to_chat_completions_with_the_key_as_a_bearer_token() {
        RecordedRequest received = send(OpenAiFixtures.simpleRequest());

        assertEquals("POST", received.method());
        assertEquals("/v1/chat/completions", received.path());
        assertEquals(Optional.of("Bearer " + SECRET), received.header("Authorization"));
        assertEquals(Optional.of("text/event-stream"), received.header("Accept"));
        assertEquals("application/json", received.header("Content-Type").orElse("").split(";")[0].trim());
    }

    @Test
    void a_base_uri_with_a_trailing_slash_gives_the_same_path() {
        OpenAiConnector connector = new OpenAiConnector(new OpenAiConfig("openai",
                URI.create(provider.baseUri() + "/v1/"), Optional.of(SECRET), RELAXED), client);

        assertEquals("/v1/chat/completions", send(connector, OpenAiFixtures.simpleRequest()).path());
    }

    @Test
    void without_a_key_no_authorization_header_is_sent() {
        OpenAiConnector connector = new OpenAiConnector(new OpenAiConfig("local",
                URI.create(provider.baseUri() + "/v1"), Optional.empty(), RELAXED), client);

        assertEquals(Optional.empty(), send(connector, OpenAiFixtures.simpleRequest()).header("Authorization"));
    }

    @Test
    void unset_options_are_left_out_of_the_body() throws Exception {
        UpstreamRequest request = new UpstreamRequest("gpt-test", "", List.of(userMessage("Hi"),
                item("item_reference", null, null, null, null)), Map.of(), OptionalInt.empty(), List.of(),
                Optional.empty());

        JsonNode body = json(send(request).body());

        assertEquals(json("[{\"role\":\"user\",\"content\":\"Hi\"}]"), body.get("messages"));
        for (String absent : List.of("max_completion_tokens", "metadata", "tools", "tool_choice")) {
            assertFalse(body.has(absent), () -> absent + " should be absent: " + body);
        }
    }

    @Test
    void upstream_params_are_merged_into_the_body_but_never_replace_a_field_the_adapter_sets() throws Exception {
        UpstreamRequest request = new UpstreamRequest("gpt-test", "", List.of(userMessage("Hi")), Map.of(),
                OptionalInt.of(9), List.of(), Optional.empty(), Map.of("temperature", json("0.25"),
                "seed", json("42"), "response_format", json("{\"type\":\"json_object\"}"),
                "stream", json("false"), "max_completion_tokens", json("1000")));

        JsonNode body = json(send(request).body());

        assertEquals(0.25, body.get("temperature").doubleValue());
        assertEquals(42, body.get("seed").intValue());
        assertEquals("json_object", body.path("response_format").path("type").asText());
        assertTrue(body.get("stream").booleanValue());
        assertEquals(9, body.get("max_completion_tokens").intValue());
    }

    @Test
    void tools_already_in_chat_shape_and_a_string_tool_choice_pass_through_unchanged() throws Exception {
        JsonNode chatTool = json("{\"type\":\"function\",\"function\":{\"name\":\"lookup\",\"parameters\":{}}}");
        UpstreamRequest request = new UpstreamRequest("gpt-test", "", List.of(userMessage("Hi")), Map.of(),
                OptionalInt.empty(), List.of(chatTool), Optional.of(json("\"required\"")));

        JsonNode body = json(send(request).body());

        assertEquals(JSON.createArrayNode().add(chatTool), body.get("tools"));
        assertEquals("required", body.get("tool_choice").asText());
    }
}
