package dev.switchboard.broker.webhook;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.MovableClock;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.RedisServer;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import dev.switchboard.broker.session.ResponseHooks;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17: webhooks announce each event once per cluster. Two in-process brokers with different
 * {@code cluster.node_id}s share a real {@code redis-server} and one frozen clock, each with its own outbox, both
 * delivering to one real receiver (a Jetty server). Every wait is bounded; "nothing more arrives" is established by
 * the brokers' own claim counters and empty outboxes, never by waiting for a while.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ClusterWebhooksTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String CLAIMS = "broker.webhooks.cluster.claims";

    @TempDir
    Path dir;
    private final MovableClock clock = new MovableClock(Instant.parse("2026-12-04T12:00:05Z"));
    private final List<AutoCloseable> open = new ArrayList<>();
    private RedisServer redis;
    private Receiver receiver;
    private Broker a;
    private Broker b;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        open.add(redis);
        receiver = new Receiver((id, attempt) -> Receiver.Answer.of(200));
        open.add(0, receiver);
        a = broker("a");
        b = broker("b");
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private Broker broker(String node) throws Exception {
        String yaml = """
                simulator: {enabled: true}
                cluster: {store: {kind: redis, uri: "%s"}, node_id: %s, heartbeat: 200ms}
                sessions: {resume_secret: "0123456789abcdef0123"}
                providers:
                  down:
                    kind: openai
                    base_url: "http://127.0.0.1:1/v1"
                    circuit_breaker: {failure_threshold: 1}
                    retry: {max_retries: 0}
                models:
                  broken: {route: [down/any]}
                tenants:
                  acme: {keys: [sk-acme], models: ["*"], budgets: [{period: day, tokens: 1000, alert_at: [0.1]}]}
                  limited: {keys: [sk-limited], models: ["*"], limits: {requests_per_minute: 1}}
                  free: {keys: [sk-free], models: ["*"]}
                webhooks:
                  allow_private_targets: true
                  outbox_dir: %s
                  retry: {initial: 10ms, max: 100ms, attempts: 10}
                  endpoints:
                    - url: %s
                      secret: [whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw/Fi1XCLpKfY=]
                      events: [budget.threshold, budget.exhausted, limit.exceeded, provider.circuit_opened]
                      tenants: ["*"]
                """.formatted(redis.uri(), node, dir.resolve("outbox-" + node), receiver.url());
        BrokerConfig config = new ConfigLoader(name -> null).parse(yaml);
        Broker broker = Broker.start(config.withListen(new BrokerConfig.Listen("127.0.0.1", 0)), ResponseHooks.NONE,
                clock);
        open.add(0, broker);
        return broker;
    }

    @Test
    void a_budget_threshold_crossed_by_traffic_on_both_nodes_is_delivered_once() throws Exception {
        // 1000 tokens, alert at 10%: six answers of 30 tokens, alternating, cross 100 once and stay far from 1000.
        for (int i = 0; i < 6; i++) {
            assertEquals(200, chat(i % 2 == 0 ? a : b, "sk-acme", "sim-chat", 30).statusCode());
        }
        // Both nodes may see the crossing (a reservation and its reconciliation move the shared spend across the
        // mark from either side); whichever claims it first sends it, every later claim is a duplicate.
        await().atMost(WAIT).until(() -> delivered("budget.threshold").size() >= 1 && outbox(a) == 0
                && outbox(b) == 0);
        assertEquals(1, claims(a, "claimed") + claims(b, "claimed"));
        assertEquals(0, claims(a, "unreachable") + claims(b, "unreachable"));
        assertEquals(1, delivered("budget.threshold").size(), receiver.deliveries()::toString);
        JsonNode data = json(delivered("budget.threshold").get(0).body()).path("data");
        assertEquals("acme", data.path("tenant").asText());
        assertTrue(data.path("spent").asDouble() >= 100, data::toString);
    }

    @Test
    void a_limit_refusing_on_both_nodes_is_announced_once_per_tenant_limit_and_minute() throws Exception {
        assertEquals(200, chat(a, "sk-limited", "sim-chat", 2).statusCode());
        assertEquals(429, chat(a, "sk-limited", "sim-chat", 2).statusCode());
        assertEquals(429, chat(b, "sk-limited", "sim-chat", 2).statusCode());
        assertEquals(429, chat(b, "sk-limited", "sim-chat", 2).statusCode());
        // Each node claims the minute's event once (its own repeats are deduplicated before the claim).
        await().atMost(WAIT).until(() -> settled(2));
        assertEquals(1, claims(a, "claimed") + claims(b, "claimed"));
        assertEquals(1, claims(a, "duplicate") + claims(b, "duplicate"));
        assertEquals(1, delivered("limit.exceeded").size(), receiver.deliveries()::toString);

        clock.advance(Duration.ofMinutes(1));
        assertEquals(200, chat(b, "sk-limited", "sim-chat", 2).statusCode());
        assertEquals(429, chat(b, "sk-limited", "sim-chat", 2).statusCode());
        assertEquals(429, chat(a, "sk-limited", "sim-chat", 2).statusCode());
        await().atMost(WAIT).until(() -> settled(4));
        List<Receiver.Delivery> both = delivered("limit.exceeded");
        assertEquals(2, both.size(), receiver.deliveries()::toString);
        assertTrue(!both.get(0).id().equals(both.get(1).id()), "one event per minute, each with its own id");
    }

    @Test
    void breakers_opening_on_both_nodes_within_a_minute_are_one_announcement() throws Exception {
        assertTrue(chat(a, "sk-free", "broken", 2).statusCode() >= 500);
        assertTrue(chat(b, "sk-free", "broken", 2).statusCode() >= 500);
        await().atMost(WAIT).until(() -> settled(2));
        assertEquals(1, claims(a, "duplicate") + claims(b, "duplicate"));
        assertEquals(1, delivered("provider.circuit_opened").size(), receiver.deliveries()::toString);
    }

    @Test
    void with_redis_stopped_each_node_delivers_its_notice_under_the_same_webhook_id_and_counts_it() throws Exception {
        redis.stop();
        assertTrue(chat(a, "sk-free", "broken", 2).statusCode() >= 500);
        assertTrue(chat(b, "sk-free", "broken", 2).statusCode() >= 500);
        await().atMost(WAIT).until(() -> delivered("provider.circuit_opened").size() == 2 && settled(2));
        assertEquals(1, claims(a, "unreachable"));
        assertEquals(1, claims(b, "unreachable"));
        List<Receiver.Delivery> got = delivered("provider.circuit_opened");
        assertEquals(got.get(0).id(), got.get(1).id(), "the receiver can deduplicate them");
        assertEquals(1, receiver.accepted().size());
    }

    /** Whether {@code claims} events were claimed in all (any outcome) and both outboxes are empty. */
    private boolean settled(int claims) {
        double all = 0;
        for (Broker broker : List.of(a, b)) {
            all += broker.metrics().registry().find(CLAIMS).counters().stream().mapToDouble(Counter::count).sum();
        }
        return all == claims && outbox(a) == 0 && outbox(b) == 0;
    }

    private static double outbox(Broker broker) {
        Gauge size = broker.metrics().registry().find("broker.webhooks.outbox.size").gauge();
        return size == null ? -1 : size.value();
    }

    private static int claims(Broker broker, String outcome) {
        return (int) broker.metrics().registry().find(CLAIMS).tag("outcome", outcome).counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    private List<Receiver.Delivery> delivered(String type) {
        return receiver.deliveries().stream().filter(d -> json(d.body()).path("type").asText().equals(type))
                .toList();
    }

    private static HttpResponse<String> chat(Broker broker, String key, String model, int tokens) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(broker.httpUri() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json").timeout(WAIT)
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"messages\":[{\"role\":"
                        + "\"user\",\"content\":\"Hi\"}],\"metadata\":{\"sim_tokens\":\"" + tokens + "\","
                        + "\"sim_ttft_ms\":\"0\"}}")).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(String body) {
        try {
            return RealtimeClient.JSON.readTree(body);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }
}
