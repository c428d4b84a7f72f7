package dev.switchboard.broker.http;

import static dev.switchboard.broker.http.ChatHttp.JSON;
import static dev.switchboard.broker.http.ChatHttp.fast;
import static dev.switchboard.broker.http.ChatHttp.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** What reaches the provider ({@code upstream_params}), and how a provider failure reaches the client. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ChatCompletionsUpstreamTest {
    private static CapturingProvider provider;
    private static Broker broker;
    private static WebSocketClient ws;

    @BeforeAll
    static void start() throws Exception {
        provider = new CapturingProvider();
        String config = """
                simulator: {enabled: true}
                providers:
                  fake: {kind: openai, base_url: "%s"}
                  broken: {kind: openai, base_url: "simulator:/faults/status=500/v1", retry: {max_retries: 0}}
                  limited: {kind: openai, base_url: "simulator:/faults/status=429/v1", retry: {max_retries: 0}}
                  cut: {kind: openai, base_url: "simulator:/faults/cut_after=10/v1",
                        circuit_breaker: {failure_threshold: 1000}}
                  again: {kind: openai, base_url: "simulator:/v1", continuation: restart}
                models:
                  sim-chat: {route: [simulator/sim-chat]}
                  restart-model: {route: [cut/sim-chat, again/sim-chat]}
                  fake-model: {route: [fake/fake-upstream]}
                  broken-model: {route: [broken/sim-chat]}
                  limited-model: {route: [limited/sim-chat]}
                tenants:
                  dev: {keys: [dev-key], models: ["*"]}
                """.formatted(provider.baseUri());
        broker = Broker.start(new ConfigLoader(name -> null).parse(config)
                .withListen(new BrokerConfig.Listen("127.0.0.1", 0)));
        ws = new WebSocketClient();
        ws.start();
    }

    @AfterAll
    static void stop() throws Exception {
        ws.stop();
        broker.close();
        provider.close();
    }

    @Test
    void fields_the_broker_does_not_interpret_reach_the_provider_unchanged() throws Exception {
        ObjectNode body = request("fake-model", "hi", Map.of("trace", "t-1"), true);
        body.put("temperature", 0.3).put("top_p", 0.9).put("seed", 42).put("user", "u-1").putNull("presence_penalty");
        body.putArray("stop").add("\n\n");
        body.putObject("response_format").put("type", "json_object");

        HttpResponse<String> response = ChatHttp.post(broker, body);

        assertEquals(200, response.statusCode(), response.body());
        assertEquals("ok", Sse.text(Sse.chunks(Sse.parse(response.body()))));
        JsonNode upstream = JSON.readTree(provider.nextBody());
        assertEquals(0.3, upstream.path("temperature").doubleValue());
        assertEquals(0.9, upstream.path("top_p").doubleValue());
        assertEquals(42, upstream.path("seed").intValue());
        assertEquals("u-1", upstream.path("user").asText());
        assertEquals("\n\n", upstream.path("stop").path(0).asText());
        assertEquals("json_object", upstream.path("response_format").path("type").asText());
        assertFalse(upstream.has("presence_penalty"), "a JSON null counts as absent");
        assertEquals("fake-upstream", upstream.path("model").asText());
        assertEquals("t-1", upstream.path("metadata").path("trace").asText());
    }

    @Test
    void fields_the_broker_interprets_are_not_overridden_by_the_client() throws Exception {
        ObjectNode body = request("fake-model", "hi", Map.of(), false);
        body.put("max_tokens", 7).put("temperature", 1.1);
        body.putObject("stream_options").put("include_usage", false);

        HttpResponse<String> response = ChatHttp.post(broker, body);

        assertEquals(200, response.statusCode(), response.body());
        assertEquals("ok", ChatHttp.json(response).path("choices").path(0).path("message").path("content").asText());
        JsonNode upstream = JSON.readTree(provider.nextBody());
        assertEquals("fake-upstream", upstream.path("model").asText());
        assertTrue(upstream.path("stream").booleanValue(), "the broker always streams from the provider");
        assertTrue(upstream.path("stream_options").path("include_usage").booleanValue());
        assertEquals(7, upstream.path("max_completion_tokens").intValue());
        assertFalse(upstream.has("max_tokens"));
        assertEquals(1.1, upstream.path("temperature").doubleValue());
        assertEquals(List.of("user"), List.of(upstream.path("messages").path(0).path("role").asText()));
    }

    @Test
    void realtime_clients_use_the_same_extension_and_cannot_set_a_reserved_field() throws Exception {
        WsAnswer client = WsAnswer.connect(ws, broker.port(), "fake-model");
        try {
            client.until("session.created");
            client.send("{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"message\",\"role\":\"user\","
                    + "\"content\":[{\"type\":\"input_text\",\"text\":\"hi\"}]}}");
            client.send("{\"type\":\"response.create\",\"event_id\":\"bad\",\"response\":{\"upstream_params\":"
                    + "{\"model\":\"other\"}}}");
            JsonNode error = last(client.until("error"));
            assertEquals("response.upstream_params", error.path("error").path("param").asText());
            assertTrue(error.path("error").path("message").asText().contains("upstream_params.model"));

            client.send("{\"type\":\"response.create\",\"response\":{\"upstream_params\":{\"seed\":5}}}");
            assertEquals("completed", last(client.until("response.done")).path("response").path("status").asText());
            assertEquals(5, JSON.readTree(provider.nextBody()).path("seed").intValue());
        } finally {
            client.close();
        }
    }

    @Test
    void a_provider_failure_without_fallback_ends_the_stream_with_an_error_event_and_no_done() throws Exception {
        HttpResponse<String> response = ChatHttp.post(broker, request("broken-model", "hi", fast(5), true));

        assertEquals(200, response.statusCode(), "the stream had started when the provider failed");
        assertFalse(response.body().contains("[DONE]"), response.body());
        List<Sse.Block> blocks = Sse.parse(response.body());
        Sse.Block last = blocks.get(blocks.size() - 1);
        assertTrue(last.id().isPresent(), last::toString);
        JsonNode error = last.json().path("error");
        assertEquals("upstream_unavailable", error.path("code").asText(), last::toString);
        assertEquals("server_error", error.path("type").asText());
        assertFalse(error.path("message").asText().isEmpty());
    }

    @Test
    void a_failed_non_streaming_answer_is_an_http_error_whose_status_follows_the_failure() throws Exception {
        HttpResponse<String> unavailable = ChatHttp.post(broker, request("broken-model", "hi", fast(5), false));
        HttpResponse<String> limited = ChatHttp.post(broker, request("limited-model", "hi", fast(5), false));

        assertEquals(502, unavailable.statusCode(), unavailable.body());
        assertEquals("upstream_unavailable", ChatHttp.json(unavailable).path("error").path("code").asText());
        assertEquals(429, limited.statusCode(), limited.body());
        assertEquals("upstream_rate_limited", ChatHttp.json(limited).path("error").path("code").asText());
    }

    @Test
    void a_failover_that_would_restart_a_streamed_answer_ends_it_with_an_error_instead_of_splicing()
            throws Exception {
        // Issue 11: this used to send the fallback's whole answer after the cut text in the same choice. A chat
        // completion cannot show a restart, so the stream ends with upstream_stream_broken and no [DONE].
        HttpResponse<String> direct = ChatHttp.post(broker, request("sim-chat", "hi", fast(30), true));
        HttpResponse<String> restarted = ChatHttp.post(broker, request("restart-model", "hi", fast(30), true));
        HttpResponse<String> whole = ChatHttp.post(broker, request("restart-model", "hi", fast(30), false));

        List<Sse.Block> blocks = Sse.parse(restarted.body());
        List<JsonNode> chunks = Sse.chunks(blocks.subList(0, blocks.size() - 1));
        assertEquals(10, chunks.size(), restarted.body());
        String expected = Sse.text(Sse.chunks(Sse.parse(direct.body())));
        assertTrue(expected.startsWith(Sse.text(chunks)), "what was sent is the start of the answer, nothing spliced");
        chunks.forEach(chunk -> assertTrue(chunk.path("choices").path(0).path("finish_reason").isNull(),
                chunk::toString));
        JsonNode error = JSON.readTree(blocks.get(blocks.size() - 1).data().orElseThrow()).path("error");
        assertEquals("upstream_stream_broken", error.path("code").asText(), restarted.body());
        assertFalse(restarted.body().contains("[DONE]"));
        assertFalse(restarted.body().contains("switchboard.response.failover"));
        assertEquals(expected, ChatHttp.json(whole).path("choices").path(0).path("message").path("content").asText(),
                "a non-streamed answer keeps only the restarted text");
    }

    private static JsonNode last(List<JsonNode> events) {
        return events.get(events.size() - 1);
    }
}
