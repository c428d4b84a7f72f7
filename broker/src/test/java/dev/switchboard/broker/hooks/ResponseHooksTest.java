package dev.switchboard.broker.hooks;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.admission.Admission;
import dev.switchboard.broker.admission.Refusal;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import dev.switchboard.broker.session.ResponseHooks;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, seam 2: every session kind — the SSE-bridged WebSocket session, the relayed Realtime session and the
 * chat-completions endpoint — calls the response hooks for every response, completed, failed, cancelled or
 * relayed, and a hook's verdict is applied on each transport.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ResponseHooksTest {
    private static final String YAML = """
            simulator: {enabled: true}
            providers:
              down:
                kind: openai
                base_url: "simulator:/faults/status=503/v1"
                retry: {max_retries: 0}
            models:
              broken: {route: [down/sim-chat]}
            tenants:
              t: {keys: [k-t], models: ["*"]}
            """;

    /** Records every call; its verdicts are steered by response metadata the test cannot see, so by a flag. */
    static final class Recording implements ResponseHooks {
        final List<SessionInfo> opened = new CopyOnWriteArrayList<>();
        final List<ResponseRequest> requested = new CopyOnWriteArrayList<>();
        final List<ResponseRecord> ended = new CopyOnWriteArrayList<>();
        final List<String> closed = new CopyOnWriteArrayList<>();
        final ConcurrentHashMap<String, AtomicInteger> deltas = new ConcurrentHashMap<>();
        final AtomicLong audioBytes = new AtomicLong();
        final java.util.Set<Thread> threads = ConcurrentHashMap.newKeySet();
        volatile Verdict verdict = Verdict.ALLOW;

        @Override
        public void onSessionOpened(SessionInfo session) {
            threads.add(Thread.currentThread());
            opened.add(session);
        }

        @Override
        public Verdict onResponseRequested(ResponseRequest request) {
            threads.add(Thread.currentThread());
            requested.add(request);
            return verdict;
        }

        @Override
        public DeltaVerdict onOutputDelta(ResponseInfo response, DeltaKind kind, String text, int bytes) {
            threads.add(Thread.currentThread());
            deltas.computeIfAbsent(response.session().transport() + ":" + kind, k -> new AtomicInteger())
                    .incrementAndGet();
            audioBytes.addAndGet(bytes);
            return DeltaVerdict.CONTINUE;
        }

        @Override
        public void onResponseEnded(ResponseRecord record) {
            threads.add(Thread.currentThread());
            ended.add(record);
        }

        @Override
        public void onSessionClosed(SessionInfo session, String reason) {
            closed.add(session.transport() + ":" + reason);
        }
    }

    private static final Recording HOOKS = new Recording();
    /** The injected clock: every record is stamped with it. */
    private static final java.time.Instant AT = java.time.Instant.parse("2026-12-04T12:00:00Z");
    private static Broker broker;
    private static WebSocketClient client;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        BrokerConfig config = new ConfigLoader(name -> null).parse(YAML);
        broker = Broker.start(config.withListen(new BrokerConfig.Listen("127.0.0.1", 0)), HOOKS,
                java.time.InstantSource.fixed(AT));
        client = new WebSocketClient();
        client.start();
    }

    @AfterAll
    static void stop() throws Exception {
        client.stop();
        broker.close();
    }

    @BeforeEach
    void reset() {
        HOOKS.verdict = ResponseHooks.Verdict.ALLOW;
    }

    private RealtimeClient connect(String model) throws Exception {
        return RealtimeClient.connect(client, URI.create("ws://127.0.0.1:" + broker.port() + "/v1/realtime?model="
                + model), "k-t");
    }

    private static ResponseHooks.ResponseRecord endedOf(String responseId) {
        await().atMost(Duration.ofSeconds(10)).until(() -> HOOKS.ended.stream()
                .anyMatch(r -> r.response().responseId().equals(responseId)));
        return HOOKS.ended.stream().filter(r -> r.response().responseId().equals(responseId)).findFirst()
                .orElseThrow();
    }

    @Test
    void a_bridged_websocket_response_is_requested_streamed_and_ended_with_usage_and_timing() throws Exception {
        try (RealtimeClient session = connect("sim-chat")) {
            JsonNode created = session.next();
            String sessionId = created.path("session").path("id").asText();
            session.send(RealtimeClient.userMessage("Hello there, how are you today?"));
            session.send(RealtimeClient.responseCreate("r1", "{\"sim_tokens\":\"12\",\"sim_ttft_ms\":\"0\"}"));
            List<JsonNode> frames = session.until("response.done");
            String responseId = frames.get(frames.size() - 1).path("response").path("id").asText();

            ResponseHooks.ResponseRecord record = endedOf(responseId);
            assertEquals("completed", record.status());
            assertEquals(ResponseHooks.Transport.WEBSOCKET, record.response().session().transport());
            assertEquals(sessionId, record.response().session().sessionId());
            assertEquals("t", record.response().session().tenantId());
            assertTrue(record.response().session().keyId().startsWith("key_"));
            assertFalse(record.response().session().keyId().contains("k-t"), "the key itself never appears");
            assertEquals(12, record.outputTokens());
            assertEquals(AT, record.endedAt(), "records are stamped with the broker's injected clock");
            assertEquals("simulator", record.provider());
            assertTrue(record.timeToFirstToken().isPresent());
            assertTrue(HOOKS.requested.stream().anyMatch(r -> r.response().responseId().equals(responseId)
                    && r.provider().equals("simulator") && r.estimatedInputTokens() > 0));
            assertTrue(HOOKS.deltas.get("WEBSOCKET:TEXT").get() >= 12);
            assertTrue(HOOKS.opened.stream().anyMatch(s -> s.sessionId().equals(sessionId)));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> HOOKS.closed.contains("WEBSOCKET:client_disconnected"));
        assertTrue(HOOKS.threads.stream().allMatch(t -> t.getName().contains("shard")), HOOKS.threads::toString);
    }

    @Test
    void failed_and_cancelled_responses_are_reported_too() throws Exception {
        try (RealtimeClient session = connect("broken")) {
            session.next();
            session.send(RealtimeClient.userMessage("Hi"));
            session.send(RealtimeClient.responseCreate("r1", "{}"));
            List<JsonNode> failed = session.until("response.done");
            ResponseHooks.ResponseRecord record = endedOf(failed.get(failed.size() - 1).path("response")
                    .path("id").asText());
            assertEquals("failed", record.status());
            assertEquals("upstream_unavailable", record.reason());
        }
        try (RealtimeClient session = connect("sim-chat")) {
            session.next();
            session.send(RealtimeClient.userMessage("Hi"));
            session.send(RealtimeClient.responseCreate("r2", "{\"sim_tokens\":\"2000\",\"sim_ttft_ms\":\"0\","
                    + "\"sim_tokens_per_second\":\"50\"}"));
            session.until("response.output_text.delta");
            session.send("{\"type\":\"response.cancel\"}");
            List<JsonNode> cancelled = session.until("response.done");
            ResponseHooks.ResponseRecord record = endedOf(cancelled.get(cancelled.size() - 1).path("response")
                    .path("id").asText());
            assertEquals("cancelled", record.status());
            assertEquals("client_cancelled", record.reason());
        }
    }

    @Test
    void a_deny_verdict_refuses_the_response_with_the_refusals_code_on_websocket_and_http() throws Exception {
        HOOKS.verdict = new ResponseHooks.Verdict.Deny(new Admission.Refused(Refusal.RATE_LIMITED,
                "tokens per minute exceeded", Optional.empty(), Optional.of(Duration.ofSeconds(2))));
        try (RealtimeClient session = connect("sim-chat")) {
            session.next();
            session.send(RealtimeClient.userMessage("Hi"));
            session.send(RealtimeClient.responseCreate("r-denied", "{}"));
            List<JsonNode> got = session.until("error");
            JsonNode error = got.get(got.size() - 1);
            assertEquals("rate_limit_exceeded", error.path("error").path("code").asText(), error::toString);
            assertEquals("r-denied", error.path("error").path("event_id").asText());
            assertEquals(2000, error.path("error").path("retry_after_ms").asLong(), error::toString);
        }
        HttpResponse<String> refused = post("sim-chat");
        assertEquals(429, refused.statusCode(), refused.body());
        assertEquals(Optional.of("2"), refused.headers().firstValue("Retry-After"), "a throttle says when to retry");
        assertTrue(refused.body().contains("rate_limit_exceeded"), refused.body());
    }

    @Test
    void a_modify_verdict_caps_the_output_tokens() throws Exception {
        HOOKS.verdict = new ResponseHooks.Verdict.Modify(OptionalInt.of(5));
        try (RealtimeClient session = connect("sim-chat")) {
            session.next();
            session.send(RealtimeClient.userMessage("Hi"));
            session.send(RealtimeClient.responseCreate("r-capped", "{\"sim_tokens\":\"40\",\"sim_ttft_ms\":\"0\"}"));
            List<JsonNode> frames = session.until("response.done");
            JsonNode done = frames.get(frames.size() - 1).path("response");
            assertEquals("incomplete", done.path("status").asText(), done::toString);
            assertEquals("max_output_tokens", done.path("status_details").path("reason").asText());
        }
    }

    @Test
    void a_modify_verdict_caps_a_relayed_response_too() throws Exception {
        HOOKS.verdict = new ResponseHooks.Verdict.Modify(OptionalInt.of(3));
        try (RealtimeClient session = connect("sim-realtime")) {
            session.next();
            session.send(RealtimeClient.userMessage("Tell me a long story."));
            session.send("{\"type\":\"response.create\",\"response\":{\"max_output_tokens\":500}}");
            List<JsonNode> frames = session.until("response.done");
            JsonNode done = frames.get(frames.size() - 1).path("response");
            assertEquals("incomplete", done.path("status").asText(), done::toString);
            assertEquals("max_output_tokens", done.path("status_details").path("reason").asText(), done::toString);
        }
    }

    @Test
    void the_chat_completions_endpoint_reports_its_responses_as_http() throws Exception {
        HttpResponse<String> answer = post("sim-chat");
        assertEquals(200, answer.statusCode(), answer.body());
        await().atMost(Duration.ofSeconds(10)).until(() -> HOOKS.ended.stream()
                .anyMatch(r -> r.response().session().transport() == ResponseHooks.Transport.HTTP
                        && r.status().equals("completed")));
        assertTrue(HOOKS.deltas.get("HTTP:TEXT").get() > 0);
    }

    @Test
    void a_relayed_session_reports_requests_audio_deltas_and_its_ended_responses() throws Exception {
        try (RealtimeClient session = connect("sim-realtime")) {
            session.next();
            session.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\","
                    + "\"output_modalities\":[\"audio\"]}}");
            session.until("session.updated");
            session.send(RealtimeClient.userMessage("Say something."));
            session.send("{\"type\":\"response.create\"}");
            List<JsonNode> frames = session.until("response.done");
            String responseId = frames.get(frames.size() - 1).path("response").path("id").asText();
            ResponseHooks.ResponseRecord record = endedOf(responseId);
            assertEquals("completed", record.status());
            assertEquals(ResponseHooks.Transport.RELAY, record.response().session().transport());
            assertTrue(HOOKS.audioBytes.get() > 0, "audio deltas are counted in decoded bytes");
            assertTrue(HOOKS.deltas.containsKey("RELAY:AUDIO"));
            assertTrue(HOOKS.requested.stream().anyMatch(r -> r.response().session().transport()
                    == ResponseHooks.Transport.RELAY));
        }
    }

    private HttpResponse<String> post(String model) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + broker.port()
                        + "/v1/chat/completions")).header("Authorization", "Bearer k-t")
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"messages\":[{\"role\":"
                        + "\"user\",\"content\":\"Hi\"}],\"metadata\":{\"sim_tokens\":\"8\",\"sim_ttft_ms\":\"0\"}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
