package dev.switchboard.broker.http;

import static dev.switchboard.broker.http.ChatHttp.request;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Slow and malformed HTTP through a real broker and raw sockets: refusals decided by the headers are sent at once
 * and end the connection, request headers and bodies have deadlines, and every error Jetty answers itself has
 * OpenAI's JSON shape. Timings are never asserted; only what arrives, and in what order.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class HttpHardeningTest {
    static final String CONFIG = """
            simulator: {enabled: true}
            models:
              sim-chat: {route: [simulator/sim-chat]}
            tenants:
              dev: {keys: [dev-key], models: ["*"]}
            limits: {request_header_timeout: 500ms, request_body_timeout: 1s}
            """;
    /** Never echoed: a test fails if it shows up in a response or the log. */
    static final String MARKER = "attacker-controlled-7f3a";
    private static final Duration BOUND = Duration.ofSeconds(10);
    private static Broker broker;
    private static WebSocketClient ws;

    @BeforeAll
    static void start() throws Exception {
        broker = Broker.start(new ConfigLoader(name -> null).parse(CONFIG)
                .withListen(new BrokerConfig.Listen("127.0.0.1", 0)));
        ws = new WebSocketClient();
        ws.start();
    }

    @AfterAll
    static void stop() throws Exception {
        ws.stop();
        broker.close();
    }

    private static String post(String headers, int contentLength) {
        return "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + headers + "Content-Length: " + contentLength + "\r\n\r\n";
    }

    static Stream<Arguments> refusedOnTheHeaders() {
        return Stream.of(
                Arguments.of("no key", post("", 1000), 401, "invalid_api_key"),
                Arguments.of("an unknown key", post("Authorization: Bearer " + MARKER + "\r\n", 1000), 401,
                        "invalid_api_key"),
                Arguments.of("the wrong method", post("Authorization: Bearer dev-key\r\n", 1000)
                        .replaceFirst("POST", "PUT"), 405, "method_not_allowed"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedOnTheHeaders")
    void a_request_refused_on_its_headers_is_answered_before_its_trickled_body_and_the_connection_ends(
            String why, String head, int status, String code) throws Exception {
        try (RawHttp http = RawHttp.connect(broker)) {
            http.send(head + "{");

            // Nothing more is sent until the answer is in: it must not wait for the rest of the body.
            RawHttp.Reply reply = http.read(false);

            assertJsonError(reply, status, code);
            assertEquals("close", reply.header("Connection"));
            assertEquals(-1, http.readByte(), "the broker's side of the connection ends after the answer");
            // The broker drops what the client still sends for a short linger only, then closes for good.
            await().atMost(BOUND).pollInterval(Duration.ofMillis(100))
                    .until(() -> !http.trySend("x"));
        }
    }

    @Test
    void a_draining_broker_answers_503_before_a_trickled_body() throws Exception {
        try (Broker draining = Broker.start(new ConfigLoader(name -> null).parse(CONFIG)
                .withListen(new BrokerConfig.Listen("127.0.0.1", 0)))) {
            draining.stopAccepting();
            try (RawHttp http = RawHttp.connect(draining)) {
                http.send(post("Authorization: Bearer dev-key\r\n", 1000) + "{");

                RawHttp.Reply reply = http.read(false);

                assertJsonError(reply, 503, "service_unavailable");
                assertEquals("close", reply.header("Connection"));
            }
        }
    }

    @Test
    void an_authenticated_body_that_trickles_past_the_body_timeout_is_cut_with_408() throws Exception {
        try (RawHttp http = RawHttp.connect(broker)) {
            http.send(post("Authorization: Bearer dev-key\r\n", 10_000) + "{");

            // A byte every 100 ms: never idle, but far slower than the body deadline allows.
            await().atMost(BOUND).pollInterval(Duration.ofMillis(100))
                    .until(() -> http.hasReply() || !http.trySend(" "));
            RawHttp.Reply reply = http.read(false);

            assertJsonError(reply, 408, "request_timeout");
            assertEquals("close", reply.header("Connection"));
        }
    }

    @Test
    void request_headers_trickled_forever_are_cut() throws Exception {
        try (RawHttp http = RawHttp.connect(broker)) {
            http.send("GET /v1/models HTTP/1.1\r\nHost: localhost\r\n");

            await().atMost(BOUND).pollInterval(Duration.ofMillis(100))
                    .until(() -> http.closedByBroker() || !http.trySend("X-Slow: 1\r\n"));
        }
    }

    @Test
    void a_keep_alive_connection_may_wait_between_requests_longer_than_the_header_timeout() throws Exception {
        String models = "GET /v1/models HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer dev-key\r\n\r\n";
        try (RawHttp http = RawHttp.connect(broker)) {
            http.send(models);
            assertEquals(200, http.read(false).status());

            // Idle (not trickling) for longer than the header timeout: the idle timeout rules, not the deadline.
            await().during(Duration.ofSeconds(1)).atMost(BOUND).until(() -> !http.closedByBroker());
            http.send(models);

            assertEquals(200, http.read(false).status());
        }
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("a bad URI", "GET /v1/models/%zz HTTP/1.1\r\nHost: localhost\r\nX-A: " + MARKER
                        + "\r\n\r\n", 400, "bad_request"),
                Arguments.of("a bad method token", "G@T /v1/models HTTP/1.1\r\nHost: localhost\r\n\r\n", 400,
                        "bad_request"),
                Arguments.of("a duplicate Host", "GET /v1/models HTTP/1.1\r\nHost: localhost\r\nHost: " + MARKER
                        + "\r\n\r\n", 400, "bad_request"),
                Arguments.of("a URI too long", "GET /v1/models/" + MARKER.repeat(1000) + " HTTP/1.1\r\n"
                        + "Host: localhost\r\n\r\n", 414, "uri_too_long"),
                Arguments.of("headers too large", "GET /v1/models HTTP/1.1\r\nHost: localhost\r\nX-A: "
                        + MARKER.repeat(1000) + "\r\n\r\n", 431, "request_header_fields_too_large"),
                Arguments.of("an unknown HTTP version", "GET /v1/models HTTP/1.7\r\nHost: localhost\r\n\r\n", 505,
                        "http_version_not_supported"),
                Arguments.of("no such path", "GET /" + MARKER + " HTTP/1.1\r\nHost: localhost\r\n\r\n", 404,
                        "not_found"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void a_malformed_request_gets_an_openai_json_error_without_echoing_it(String what, String request, int status,
                                                                          String code) throws Exception {
        RawHttp.Reply reply = RawHttp.exchange(broker, request);

        assertJsonError(reply, status, code);
    }

    static Stream<Arguments> wrongMethods() {
        return Stream.of(
                Arguments.of("FOO", "/v1/models", "GET, HEAD"),
                Arguments.of("DELETE", "/v1/models", "GET, HEAD"),
                Arguments.of("POST", "/healthz", "GET, HEAD"),
                Arguments.of("PUT", "/metrics", "GET, HEAD"),
                Arguments.of("GET", "/v1/chat/completions", "POST"),
                Arguments.of("POST", "/v1/realtime", "GET"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("wrongMethods")
    void a_method_a_path_does_not_take_is_a_json_405_naming_the_allowed_ones(String method, String path,
                                                                             String allowed) throws Exception {
        RawHttp.Reply reply = RawHttp.exchange(broker, method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n"
                + "Authorization: Bearer dev-key\r\nContent-Length: 0\r\n\r\n");

        assertJsonError(reply, 405, "method_not_allowed");
        assertEquals(allowed, reply.header("Allow"));
    }

    @Test
    void a_hundred_kilobyte_bearer_key_is_a_json_431() throws Exception {
        HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                HttpRequest.newBuilder(ChatHttp.uri(broker, "/v1/models")).timeout(BOUND)
                        .header("Authorization", "Bearer " + "k".repeat(100_000)).build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(431, response.statusCode(), response.body());
        assertEquals("application/json", response.headers().firstValue("content-type").orElse(""));
        assertEquals("request_header_fields_too_large", ChatHttp.json(response).path("error").path("code").asText());
    }

    @Test
    void head_is_get_without_the_body_on_the_model_list_and_the_probes() throws Exception {
        try (RawHttp http = RawHttp.connect(broker)) {
            // Pipelined: a body after either HEAD answer would be read as the next status line.
            http.send("HEAD /v1/models HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer dev-key\r\n\r\n"
                    + "HEAD /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    + "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");

            RawHttp.Reply models = http.read(true);
            RawHttp.Reply headHealth = http.read(true);
            RawHttp.Reply health = http.read(false);

            assertEquals(200, models.status());
            assertEquals("application/json", models.header("Content-Type"));
            assertEquals(200, headHealth.status());
            assertEquals(200, health.status());
            assertEquals("ok\n", health.body());
        }
    }

    @Test
    void a_streamed_answer_longer_than_both_deadlines_is_not_cut() throws Exception {
        // 20 tokens at 10 a second: about two seconds, longer than either deadline.
        HttpResponse<String> response = ChatHttp.post(broker, "dev-key", request("sim-chat", "slow", Map.of(
                "sim_tokens", "20", "sim_ttft_ms", "0", "sim_tokens_per_second", "10"), true).toString());

        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().endsWith("data: [DONE]\n\n"), response.body());
        long contentChunks = Sse.chunks(Sse.parse(response.body())).stream()
                .filter(chunk -> !chunk.path("choices").path(0).path("delta").path("content").asText().isEmpty())
                .count();
        assertEquals(20, contentChunks, response.body());
    }

    @Test
    void a_websocket_that_sends_frames_and_waits_past_the_deadlines_stays_open() throws Exception {
        WsAnswer realtime = WsAnswer.connect(ws, broker.port(), "sim-chat");
        try {
            realtime.until("session.created");
            realtime.send("{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"message\",\"role\":\"user\","
                    + "\"content\":[{\"type\":\"input_text\",\"text\":\"slow\"}]}}");
            // The answer takes about two seconds after the client's last frame.
            realtime.send("{\"type\":\"response.create\",\"response\":{\"metadata\":{\"sim_tokens\":\"20\","
                    + "\"sim_ttft_ms\":\"0\",\"sim_tokens_per_second\":\"10\"}}}");

            List<JsonNode> events = realtime.until("response.done");

            assertEquals("completed", events.get(events.size() - 1).path("response").path("status").asText(),
                    events::toString);
        } finally {
            realtime.close();
        }
    }

    static void assertJsonError(RawHttp.Reply reply, int status, String code) throws Exception {
        assertEquals(status, reply.status(), reply::toString);
        assertEquals("application/json", reply.header("Content-Type"), reply::toString);
        assertFalse(reply.body().contains(MARKER), reply::toString);
        JsonNode error = ChatHttp.JSON.readTree(reply.body()).path("error");
        for (String field : List.of("message", "type", "param", "code")) {
            assertTrue(error.has(field), () -> "error." + field + " missing: " + reply);
        }
        assertEquals(code, error.path("code").asText(), reply::toString);
        assertTrue(error.path("param").isNull(), reply::toString);
    }
}
