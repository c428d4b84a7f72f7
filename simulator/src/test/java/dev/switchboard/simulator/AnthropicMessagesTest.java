package dev.switchboard.simulator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
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
class AnthropicMessagesTest {

    private static final Map<String, String> FAST = ChatBodies.FAST;
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
    void stream_is_message_start_block_start_ping_text_deltas_block_stop_message_delta_message_stop()
            throws Exception {
        ContentResponse response = send(AnthropicBodies.messages("Hello", true, 1024),
                ChatBodies.merge(FAST, Map.of("sim_tokens", "3")));

        assertEquals(200, response.getStatus());
        assertEquals("text/event-stream", response.getHeaders().get(HttpHeader.CONTENT_TYPE));
        AnthropicStream stream = AnthropicStream.parse(response.getContentAsString());
        assertEquals(List.of("message_start", "content_block_start", "ping", "content_block_delta",
                "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop"),
                stream.names());
        JsonNode message = stream.first("message_start").path("message");
        assertTrue(message.path("id").asText().matches("msg_[0-9a-f]{24}"), message.toString());
        assertEquals("message", message.path("type").asText());
        assertEquals("assistant", message.path("role").asText());
        assertEquals("claude-sim", message.path("model").asText());
        assertEquals("[]", message.path("content").toString());
        assertTrue(message.path("stop_reason").isNull());
        assertEquals(("You are terse.".length() + "Hello".length()) / 4,
                message.path("usage").path("input_tokens").asInt());
        assertEquals(1, message.path("usage").path("output_tokens").asInt());
        assertEquals("{\"type\":\"content_block_start\",\"index\":0,"
                + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
                stream.first("content_block_start").toString());
        for (JsonNode delta : stream.deltas()) {
            assertEquals(0, delta.path("index").asInt());
            assertEquals("text_delta", delta.path("delta").path("type").asText());
            assertFalse(delta.path("delta").path("text").asText().isEmpty());
        }
        assertEquals(0, stream.first("content_block_stop").path("index").asInt());
        assertEquals("{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},"
                + "\"usage\":{\"output_tokens\":3}}", stream.first("message_delta").toString());
    }

    @Test
    void the_same_conversation_streams_the_same_text_as_the_openai_endpoint() throws Exception {
        String openAi = StreamedCompletion.parse(http.postChat(simulator,
                ChatBodies.fastStream("Same on both", Map.of("sim_tokens", "60"))).getContentAsString()).text();

        String anthropic = AnthropicStream.parse(send(AnthropicBodies.messages("Same on both", true, 1024),
                ChatBodies.merge(FAST, Map.of("sim_tokens", "60"))).getContentAsString()).text();

        assertEquals(openAi, anthropic);
    }

    @Test
    void system_text_blocks_and_content_blocks_generate_the_same_text_as_strings() throws Exception {
        ObjectNode blocks = AnthropicBodies.messages("ignored", true, 1024);
        blocks.putArray("system").addObject().put("type", "text").put("text", "You are terse.");
        ((ObjectNode) AnthropicBodies.messagesOf(blocks).get(0)).putArray("content").addObject()
                .put("type", "text").put("text", "Blocks");
        Map<String, String> knobs = ChatBodies.merge(FAST, Map.of("sim_tokens", "20"));

        String fromBlocks = AnthropicStream.parse(send(blocks, knobs).getContentAsString()).text();
        String fromStrings = AnthropicStream.parse(send(AnthropicBodies.messages("Blocks", true, 1024), knobs)
                .getContentAsString()).text();

        assertEquals(fromStrings, fromBlocks);
    }

    @Test
    void max_tokens_caps_the_stream_with_stop_reason_max_tokens() throws Exception {
        AnthropicStream stream = AnthropicStream.parse(send(AnthropicBodies.messages("Ramble", true, 5),
                ChatBodies.merge(FAST, Map.of("sim_tokens", "50"))).getContentAsString());

        assertEquals(5, stream.deltas().size());
        JsonNode delta = stream.first("message_delta");
        assertEquals("max_tokens", delta.path("delta").path("stop_reason").asText());
        assertEquals(5, delta.path("usage").path("output_tokens").asInt());
    }

    @Test
    void a_non_streaming_request_gets_a_message_object() throws Exception {
        ContentResponse response = send(AnthropicBodies.messages("Whole", false, 1024),
                Map.of("sim_ttft_ms", "0", "sim_tokens", "12"));
        String streamed = AnthropicStream.parse(send(AnthropicBodies.messages("Whole", true, 1024),
                ChatBodies.merge(FAST, Map.of("sim_tokens", "12"))).getContentAsString()).text();

        assertEquals(200, response.getStatus());
        JsonNode message = SimulatorHttpClient.json(response);
        assertTrue(message.path("id").asText().startsWith("msg_"));
        assertEquals("message", message.path("type").asText());
        assertEquals("assistant", message.path("role").asText());
        assertEquals(1, message.path("content").size());
        assertEquals("text", message.path("content").path(0).path("type").asText());
        assertEquals(streamed, message.path("content").path(0).path("text").asText());
        assertEquals("end_turn", message.path("stop_reason").asText());
        assertTrue(message.path("stop_sequence").isNull());
        assertEquals(12, message.path("usage").path("output_tokens").asInt());
    }

    @Test
    void knobs_are_read_from_the_switchboard_metadata_header_and_validated() throws Exception {
        AnthropicStream stream = AnthropicStream.parse(send(AnthropicBodies.messages("Knobs", true, 1024),
                ChatBodies.merge(FAST, Map.of("sim_tokens", "7"))).getContentAsString());
        ContentResponse badKnob = send(AnthropicBodies.messages("Knobs", true, 1024), Map.of("sim_tokens", "many"));
        ContentResponse badHeader = http.post(simulator.baseUri(), "/messages",
                AnthropicBodies.messages("Knobs", true, 1024).toString())
                .headers(h -> h.put("anthropic-version", "2023-06-01").put("x-switchboard-metadata", "{nope"))
                .send();

        assertEquals(7, stream.deltas().size());
        assertAnthropicError(badKnob, 400, "invalid_request_error");
        assertTrue(SimulatorHttpClient.json(badKnob).path("error").path("message").asText()
                .contains("x-switchboard-metadata.sim_tokens"));
        assertAnthropicError(badHeader, 400, "invalid_request_error");
    }

    @Test
    void non_knob_header_metadata_seeds_the_text_on_both_endpoints_alike() throws Exception {
        Map<String, String> meta = ChatBodies.merge(FAST, Map.of("sim_tokens", "20", "conversation", "c-42"));
        String openAiBody = ChatBodies.chat("Seeded", true, Map.of()).put("stream", true).toString();

        String anthropic = AnthropicStream.parse(send(AnthropicBodies.messages("Seeded", true, 1024), meta)
                .getContentAsString()).text();
        String openAiFromHeader = StreamedCompletion.parse(http.post(simulator.baseUri(), "/chat/completions",
                openAiBody).headers(h -> h.put("x-switchboard-metadata",
                        SimulatorHttpClient.JSON.valueToTree(meta).toString())).send().getContentAsString()).text();
        String openAiFromBody = StreamedCompletion.parse(http.postChat(simulator,
                ChatBodies.chat("Seeded", true, meta).toString()).getContentAsString()).text();

        assertEquals(openAiFromBody, anthropic);
        assertEquals(openAiFromBody, openAiFromHeader);
    }

    @Test
    void the_openai_endpoint_ignores_the_header_when_the_body_has_knobs() throws Exception {
        StreamedCompletion stream = StreamedCompletion.parse(http.post(simulator.baseUri(), "/chat/completions",
                ChatBodies.fastStream("Body wins", Map.of("sim_tokens", "4")))
                .headers(h -> h.put("x-switchboard-metadata", "{\"sim_tokens\":\"9\"}")).send().getContentAsString());

        assertEquals(4, stream.contentChunks().size());
    }

    @Test
    void a_missing_anthropic_version_header_is_a_400() throws Exception {
        ContentResponse response = http.post(simulator.baseUri(), "/messages",
                AnthropicBodies.messages("hi", true, 10).toString()).send();

        assertAnthropicError(response, 400, "invalid_request_error");
        assertTrue(SimulatorHttpClient.json(response).path("error").path("message").asText()
                .contains("anthropic-version"));
    }

    @Test
    void invalid_bodies_are_400s_naming_the_field() throws Exception {
        ObjectNode noMaxTokens = AnthropicBodies.messages("hi", true, 10);
        noMaxTokens.remove("max_tokens");
        ObjectNode badRole = AnthropicBodies.messages("hi", true, 10);
        ((ObjectNode) AnthropicBodies.messagesOf(badRole).get(0)).put("role", "system");
        ObjectNode extraMetadata = AnthropicBodies.messages("hi", true, 10);
        extraMetadata.putObject("metadata").put("user_id", "u-1").put("sim_tokens", "5");
        ObjectNode noMessages = AnthropicBodies.messages("hi", true, 10);
        noMessages.remove("messages");

        assertMessage(send(noMaxTokens, FAST), "max_tokens: Field required");
        assertMessage(send(badRole, FAST), "messages.0.role: Input should be 'user' or 'assistant'");
        assertMessage(send(extraMetadata, FAST), "metadata.sim_tokens: Extra inputs are not permitted");
        assertMessage(send(noMessages, FAST), "messages: Field required");
        assertAnthropicError(http.postMessages(simulator.baseUri(), "{\"model\":", Map.of()).send(), 400,
                "invalid_request_error");
        assertEquals(0, simulator.stats().streamsStarted());
    }

    @Test
    void metadata_user_id_is_accepted() throws Exception {
        ObjectNode body = AnthropicBodies.messages("hi", true, 10);
        body.putObject("metadata").put("user_id", "u-1");

        assertEquals(200, send(body, FAST).getStatus());
    }

    @Test
    void the_api_key_is_required_in_x_api_key() throws Exception {
        try (ProviderSimulator keyed = ProviderSimulator.start(SimulatorConfig.loopbackEphemeral()
                .withApiKey("sk-ant-sim"))) {
            String body = AnthropicBodies.messages("hi", true, 10).toString();

            ContentResponse missing = http.postMessages(keyed.baseUri(), body, FAST).send();
            ContentResponse wrong = http.postMessages(keyed.baseUri(), body, FAST)
                    .headers(h -> h.put("x-api-key", "nope")).send();
            ContentResponse bearer = http.postMessages(keyed.baseUri(), body, FAST)
                    .headers(h -> h.put(HttpHeader.AUTHORIZATION, "Bearer sk-ant-sim")).send();
            ContentResponse right = http.postMessages(keyed.baseUri(), body, FAST)
                    .headers(h -> h.put("x-api-key", "sk-ant-sim")).send();

            assertAnthropicError(missing, 401, "authentication_error");
            assertAnthropicError(wrong, 401, "authentication_error");
            assertAnthropicError(bearer, 401, "authentication_error");
            assertEquals(200, right.getStatus());
        }
    }

    @Test
    void a_client_aborting_mid_stream_is_counted_as_an_aborted_stream() throws Exception {
        CapturedExchange exchange = CapturedExchange.send(http.postMessages(simulator.baseUri(),
                AnthropicBodies.messages("Abort me", true, 100_000).toString(),
                Map.of("sim_tokens", "100000", "sim_ttft_ms", "0", "sim_tokens_per_second", "50")));
        await().atMost(Duration.ofSeconds(20)).until(() -> exchange.body().contains("content_block_delta"));

        exchange.abort();

        exchange.awaitFailure();
        await().atMost(Duration.ofSeconds(20)).until(() -> simulator.stats().streamsAborted() == 1);
        assertEquals(0, simulator.stats().streamsCompleted());
    }

    @Test
    void the_wrong_method_is_a_405_in_anthropic_shape() throws Exception {
        assertAnthropicError(http.get(URI.create(simulator.baseUri() + "/messages")), 405, "invalid_request_error");
    }

    @Test
    void an_assistant_turn_with_tool_use_before_the_last_user_message_is_accepted() throws Exception {
        ObjectNode body = AnthropicBodies.messages("Weather?", true, 100);
        body.putArray("tools").addObject().put("name", "get_weather");
        ArrayNode messages = AnthropicBodies.messagesOf(body);
        ArrayNode content = messages.addObject().put("role", "assistant").putArray("content");
        content.addObject().put("type", "text").put("text", "Let me check.");
        content.addObject().put("type", "tool_use").put("id", "toolu_1").put("name", "get_weather").putObject("input");
        ArrayNode user = messages.addObject().put("role", "user").putArray("content");
        user.addObject().put("type", "tool_result").put("tool_use_id", "toolu_1").putArray("content").addObject()
                .put("type", "text").put("text", "Sunny");
        user.addObject().put("type", "text").put("text", "Thanks, and tomorrow?");

        assertEquals(200, send(body, FAST).getStatus());
    }

    private ContentResponse send(ObjectNode body, Map<String, String> knobs) throws Exception {
        return http.postMessages(simulator.baseUri(), body.toString(), knobs).send();
    }

    private static void assertMessage(ContentResponse response, String message) throws Exception {
        assertAnthropicError(response, 400, "invalid_request_error");
        assertEquals(message, SimulatorHttpClient.json(response).path("error").path("message").asText());
    }

    static void assertAnthropicError(ContentResponse response, int status, String type) throws Exception {
        assertEquals(status, response.getStatus(), response::getContentAsString);
        assertEquals("application/json", response.getHeaders().get(HttpHeader.CONTENT_TYPE));
        JsonNode root = SimulatorHttpClient.json(response);
        assertEquals("error", root.path("type").asText());
        assertEquals(type, root.path("error").path("type").asText());
        assertFalse(root.path("error").path("message").asText().isEmpty());
    }
}
