package dev.switchboard.broker.guardrail;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.SeqAssert;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import dev.switchboard.broker.session.ResponseHooks;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.eclipse.jetty.websocket.api.exceptions.UpgradeException;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 through the real broker and the embedded simulator: exact admission under a burst, OpenAI's 429 bodies
 * and rate-limit headers, {@code rate_limits.updated}, concurrency caps before the 101, output caps, and budgets
 * enforced mid-stream with the stated overshoot bound. The clock is fixed, so rate windows do not refill during a
 * test and every count is exact.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class GuardrailsTest {
    private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");
    private static final String YAML = """
            simulator: {enabled: true}
            tenants:
              burst: {keys: [k-burst], models: ["*"], limits: {requests_per_minute: 60}}
              headers:
                keys: [k-headers]
                models: ["*"]
                limits: {requests_per_minute: 100, tokens_per_minute: 100000}
              keyed:
                keys: [k-keyed-plain, {key: k-keyed-batch, id: batch, limits: {requests_per_minute: 1}}]
                models: ["*"]
              sessions: {keys: [k-sessions], models: ["*"], limits: {concurrent_sessions: 2}}
              capped: {keys: [k-capped], models: ["*"], limits: {max_output_tokens: 5}}
              budget: {keys: [k-budget], models: ["*"], budgets: [{period: day, tokens: 300}]}
              sse-budget: {keys: [k-sse-budget], models: ["*"], budgets: [{period: month, tokens: 40}]}
            """;
    private static final AtomicReference<UsageStore> STORE = new AtomicReference<>();
    private static Broker broker;
    private static WebSocketClient ws;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        BrokerConfig config = new ConfigLoader(name -> null).parse(YAML);
        broker = Broker.start(config.withListen(new BrokerConfig.Listen("127.0.0.1", 0)), ResponseHooks.NONE,
                InstantSource.fixed(NOW), store -> {
                    STORE.set(store);
                    return store;
                });
        ws = new WebSocketClient();
        ws.start();
    }

    @AfterAll
    static void stop() throws Exception {
        ws.stop();
        broker.close();
    }

    private static CompletableFuture<HttpResponse<String>> post(String key, String body) {
        return HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + broker.port()
                        + "/v1/chat/completions")).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String chat(int tokens, boolean stream) {
        return "{\"model\":\"sim-chat\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"Hi\"}],\"metadata\":{\"sim_tokens\":\"" + tokens + "\",\"sim_ttft_ms\":\"0\"}}";
    }

    private static RealtimeClient connect(String key) throws Exception {
        RealtimeClient client = RealtimeClient.connect(ws, URI.create("ws://127.0.0.1:" + broker.port()
                + "/v1/realtime?model=sim-chat"), key);
        client.next();
        return client;
    }

    @Test
    void a_burst_of_100_requests_against_60_per_minute_admits_exactly_60() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            sent.add(post("k-burst", chat(2, false)));
        }
        Map<Integer, List<HttpResponse<String>>> byStatus = new java.util.TreeMap<>();
        for (CompletableFuture<HttpResponse<String>> response : sent) {
            HttpResponse<String> r = response.get();
            byStatus.computeIfAbsent(r.statusCode(), s -> new ArrayList<>()).add(r);
        }
        assertEquals(Map.of(200, 60, 429, 40), byStatus.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().size())), byStatus::toString);
        HttpResponse<String> refused = byStatus.get(429).get(0);
        JsonNode error = RealtimeClient.JSON.readTree(refused.body()).path("error");
        assertEquals("rate_limit_exceeded", error.path("code").asText(), refused.body());
        assertEquals("requests", error.path("type").asText(), refused.body());
        assertTrue(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow()) >= 1);
        assertEquals("0", refused.headers().firstValue("x-ratelimit-remaining-requests").orElse("absent"));
    }

    @Test
    void every_answer_carries_openais_rate_limit_headers() throws Exception {
        HttpResponse<String> answer = post("k-headers", chat(3, true)).get();
        assertEquals(200, answer.statusCode(), answer.body());
        assertEquals("100", answer.headers().firstValue("x-ratelimit-limit-requests").orElse("absent"));
        assertEquals("100000", answer.headers().firstValue("x-ratelimit-limit-tokens").orElse("absent"));
        long remaining = Long.parseLong(answer.headers().firstValue("x-ratelimit-remaining-requests").orElseThrow());
        assertTrue(remaining < 100, "a request was taken: " + remaining);
        assertTrue(answer.headers().firstValue("x-ratelimit-reset-requests").orElseThrow().endsWith("s"));
        assertTrue(answer.headers().firstValue("x-ratelimit-remaining-tokens").isPresent());
    }

    @Test
    void a_websocket_response_reports_rate_limits_updated_with_seq() throws Exception {
        try (RealtimeClient client = connect("k-headers")) {
            client.send(RealtimeClient.userMessage("Hello"));
            client.send(RealtimeClient.responseCreate("r1", "{\"sim_tokens\":\"3\",\"sim_ttft_ms\":\"0\"}"));
            List<JsonNode> frames = client.until("response.done");
            JsonNode limits = frames.stream().filter(f -> f.path("type").asText().equals("rate_limits.updated"))
                    .findFirst().orElseThrow(() -> new AssertionError("no rate_limits.updated: " + frames));
            assertTrue(limits.path("seq").asLong() > 0);
            List<String> names = new ArrayList<>();
            limits.path("rate_limits").forEach(l -> names.add(l.path("name").asText()));
            assertEquals(List.of("requests", "tokens"), names, limits::toString);
            assertEquals(100, limits.path("rate_limits").get(0).path("limit").asLong());
            SeqAssert.contiguousFromOne(client.received());
        }
    }

    @Test
    void a_keys_own_limit_applies_on_top_of_its_tenants_and_the_session_stays_usable() throws Exception {
        try (RealtimeClient client = connect("k-keyed-batch")) {
            client.send(RealtimeClient.userMessage("Hello"));
            client.send(RealtimeClient.responseCreate("r1", "{\"sim_tokens\":\"2\",\"sim_ttft_ms\":\"0\"}"));
            client.until("response.done");
            client.send(RealtimeClient.responseCreate("r2", "{\"sim_tokens\":\"2\",\"sim_ttft_ms\":\"0\"}"));
            JsonNode error = last(client.until("error"));
            assertEquals("rate_limit_exceeded", error.path("error").path("code").asText(), error::toString);
            assertEquals("r2", error.path("error").path("event_id").asText());
            assertTrue(error.path("error").path("retry_after_ms").asLong() > 0, error::toString);
            client.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"instructions\":\"x\"}}");
            client.until("session.updated");
        }
        try (RealtimeClient plain = connect("k-keyed-plain")) {
            plain.send(RealtimeClient.userMessage("Hello"));
            plain.send(RealtimeClient.responseCreate("r1", "{\"sim_tokens\":\"2\",\"sim_ttft_ms\":\"0\"}"));
            assertEquals("completed", last(plain.until("response.done")).path("response").path("status").asText());
        }
    }

    @Test
    void concurrent_sessions_over_the_limit_are_refused_with_429_before_the_upgrade() throws Exception {
        for (int i = 0; i < 3; i++) {
            // Not an upgrade: 426, and the slot taken for it goes back (three of them would fill the limit of 2).
            HttpResponse<String> plain = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + broker.port() + "/v1/realtime?model=sim-chat")).header("Authorization", "Bearer k-sessions")
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(426, plain.statusCode(), plain.body());
        }
        RealtimeClient first = connect("k-sessions");
        RealtimeClient second = connect("k-sessions");
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        request.setHeader("Authorization", "Bearer k-sessions");
        ExecutionException failure = assertThrows(ExecutionException.class, () -> ws.connect(new RealtimeClient(),
                URI.create("ws://127.0.0.1:" + broker.port() + "/v1/realtime?model=sim-chat"), request).get());
        assertEquals(429, assertInstanceOf(UpgradeException.class, failure.getCause()).getResponseStatusCode());
        second.close();
        first.close();
        // A session closed normally gives its slot back.
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            connect("k-sessions").close();
            return true;
        });
    }

    @Test
    void max_output_tokens_clamps_what_reaches_the_provider() throws Exception {
        try (RealtimeClient client = connect("k-capped")) {
            client.send(RealtimeClient.userMessage("Hello"));
            client.send(RealtimeClient.responseCreate("r1", "{\"sim_tokens\":\"40\",\"sim_ttft_ms\":\"0\"}"));
            JsonNode done = last(client.until("response.done")).path("response");
            assertEquals("incomplete", done.path("status").asText(), done::toString);
            assertEquals("max_output_tokens", done.path("status_details").path("reason").asText());
        }
    }

    @Test
    void twenty_long_streams_are_all_cut_mid_stream_by_a_budget_within_one_delta_each() throws Exception {
        int streams = 20;
        List<RealtimeClient> clients = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            RealtimeClient client = connect("k-budget");
            client.send(RealtimeClient.userMessage("Hi"));
            clients.add(client);
        }
        for (RealtimeClient client : clients) {
            client.send(RealtimeClient.responseCreate("long", "{\"sim_tokens\":\"3000\",\"sim_ttft_ms\":\"0\","
                    + "\"sim_tokens_per_second\":\"400\"}"));
        }
        for (RealtimeClient client : clients) {
            JsonNode done = last(client.until("response.done")).path("response");
            assertEquals("incomplete", done.path("status").asText(), done::toString);
            assertEquals("budget_exhausted", done.path("status_details").path("reason").asText(), done::toString);
        }
        String counter = "b/budget/0/d2026-12-04";
        long spent = STORE.get().get(counter);
        // Each simulator word is at most 12 characters: 3 metered tokens; one such delta per response in flight.
        assertTrue(spent >= 300 && spent <= 300 + streams * 3L, "spent " + spent + " of a 300-token budget");
        try (RealtimeClient late = connect("k-budget")) {
            late.send(RealtimeClient.userMessage("Hi"));
            late.send(RealtimeClient.responseCreate("after", "{}"));
            JsonNode error = last(late.until("error"));
            assertEquals("insufficient_quota", error.path("error").path("code").asText(), error::toString);
        }
        HttpResponse<String> http = post("k-budget", chat(3, true)).get();
        assertEquals(429, http.statusCode(), http.body());
        assertTrue(http.body().contains("insufficient_quota"), http.body());
        clients.forEach(RealtimeClient::close);
    }

    @Test
    void an_sse_stream_cut_by_a_budget_ends_with_an_in_band_insufficient_quota_error_and_no_done() throws Exception {
        HttpResponse<String> stream = post("k-sse-budget", "{\"model\":\"sim-chat\",\"stream\":true,\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"Hi\"}],\"metadata\":{\"sim_tokens\":\"2000\","
                + "\"sim_ttft_ms\":\"0\",\"sim_tokens_per_second\":\"400\"}}").get();
        assertEquals(200, stream.statusCode(), stream.body());
        String body = stream.body();
        assertTrue(body.contains("\"content\""), "some text streamed before the budget ran out: " + body);
        String lastData = body.lines().filter(line -> line.startsWith("data: ")).reduce((a, b) -> b).orElseThrow();
        JsonNode error = RealtimeClient.JSON.readTree(lastData.substring(6)).path("error");
        assertEquals("insufficient_quota", error.path("code").asText(), lastData);
        assertTrue(!body.contains("[DONE]"), "a cut answer is not reported as done");
        long spent = STORE.get().get("b/sse-budget/0/m2026-12");
        assertTrue(spent >= 40 && spent <= 40 + 3, "spent " + spent + " of a 40-token budget, one response in flight");
    }

    private static JsonNode last(List<JsonNode> frames) {
        return frames.get(frames.size() - 1);
    }
}
