package dev.switchboard.broker.usage;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.MovableClock;
import dev.switchboard.broker.RedisServer;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Issue 17: the usage ledger shared by a cluster. Two in-process brokers with different {@code cluster.node_id}s
 * share a real {@code redis-server} and one frozen clock; each counts its own traffic and adds it to Redis, and the
 * report on either node shows the sum. Every wait is bounded.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ClusterUsageTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String TODAY = "2026-12-04";
    private final MovableClock clock = new MovableClock(Instant.parse(TODAY + "T12:00:00Z"));
    private RedisServer redis;
    private UsageBroker a;
    private UsageBroker b;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        a = UsageBroker.start(yaml("a"), clock);
        b = UsageBroker.start(yaml("b"), clock);
    }

    private String yaml(String node) {
        return """
                simulator: {enabled: true}
                cluster: {store: {kind: redis, uri: "%s"}, node_id: %s, heartbeat: 200ms}
                sessions: {resume_secret: "0123456789abcdef0123"}
                usage: {flush_interval: 100ms, retention_days: 30}
                prices: {sim-chat: {input: 1, output: 2}}
                tenants:
                  acme:
                    keys: [{id: key_one, key: sk-one}, {id: key_two, key: sk-two}]
                    models: ["*"]
                """.formatted(redis.uri(), node);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (a != null) {
                a.close();
            }
            if (b != null) {
                b.close();
            }
        } finally {
            redis.close();
        }
    }

    @Test
    void the_report_on_either_node_shows_the_sum_of_both_nodes_traffic() throws Exception {
        long input = 0;
        long output = 0;
        for (int i = 0; i < 3; i++) {
            JsonNode usage = (i == 1 ? b : a).chatUsage(i == 1 ? "sk-two" : "sk-one", "sim-chat", 5 + i, i == 2);
            input += usage.path("input_tokens").asLong();
            output += usage.path("output_tokens").asLong();
        }
        long in = input;
        long out = output;
        for (UsageBroker node : new UsageBroker[] {a, b}) {
            await().atMost(WAIT).untilAsserted(() -> {
                JsonNode totals = node.report("acme", null, null, "key").path("totals");
                assertEquals(3, totals.path("requests").asLong(), totals::toString);
                assertEquals(in, totals.path("input_tokens").asLong(), totals::toString);
                assertEquals(out, totals.path("output_tokens").asLong(), totals::toString);
            });
        }
        JsonNode report = b.report("acme", TODAY, TODAY, "key");
        assertEquals("cluster", report.path("scope").asText(), report::toString);
        JsonNode rows = report.path("rows");
        assertEquals(2, rows.size(), rows::toString);
        assertEquals("key_one", rows.get(0).path("key").asText());
        assertEquals(2, rows.get(0).path("requests").asLong());
        assertEquals("key_two", rows.get(1).path("key").asText());
        assertEquals(1, rows.get(1).path("requests").asLong());
        // Cost is shared too (in nano-dollars): 1 USD per million input tokens, 2 per million output tokens.
        assertEquals((in + 2 * out) / 1e6, report.path("totals").path("cost_usd").asDouble(), 1e-12);
        // A day's hash lives as long as the ledger keeps the day: until the start of day + retention_days.
        long expiresAt = Long.parseLong(redis.command("PEXPIRETIME sb:usage:acme:" + TODAY).substring(1));
        assertEquals(Instant.parse("2027-01-03T00:00:00Z").toEpochMilli(), expiresAt);
    }

    @Test
    void while_redis_is_down_a_node_reports_its_own_figures_and_sends_them_when_it_is_back() throws Exception {
        a.chatUsage("sk-one", "sim-chat", 3, false);
        b.chatUsage("sk-two", "sim-chat", 3, false);
        await().atMost(WAIT).until(() -> a.report("acme", null, null, null).path("totals").path("requests")
                .asLong() == 2);
        redis.stop();
        a.chatUsage("sk-one", "sim-chat", 3, false);
        JsonNode own = a.report("acme", null, null, null);
        assertEquals("node", own.path("scope").asText(), own::toString);
        assertEquals(2, own.path("totals").path("requests").asLong(), "node a's own two requests");

        // Redis comes back empty (no persistence in this test): what a counted and Redis never confirmed is sent.
        redis.restart();
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode shared = a.report("acme", null, null, null);
            assertEquals("cluster", shared.path("scope").asText(), shared::toString);
            assertEquals(1, shared.path("totals").path("requests").asLong(), shared::toString);
        });
        assertTrue(b.report("acme", null, null, null).path("totals").path("requests").asLong() >= 1);
    }
}
