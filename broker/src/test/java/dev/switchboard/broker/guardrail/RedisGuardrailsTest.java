package dev.switchboard.broker.guardrail;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.MovableClock;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.RedisServer;
import dev.switchboard.broker.session.ResponseHooks;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Issue 17: limits, concurrency caps and budgets counted once for a cluster, on a real {@code redis-server}, by two
 * in-process brokers with different {@code cluster.node_id}s sharing it and one frozen clock (so a rate never
 * refills during a test and every count is exact). Every test has its own Redis.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RedisGuardrailsTest {
    private static final Instant NOON = Instant.parse("2026-12-04T12:00:00Z");
    private static final String TENANTS = """
            tenants:
              paced: {keys: [k-paced], models: ["*"], limits: {requests_per_minute: 60}}
              relayed: {keys: [k-relayed], models: ["*"], limits: {requests_per_minute: 1}}
              thrifty:
                keys: [k-thrifty]
                models: ["*"]
                budgets: [{period: day, tokens: 100}]
              single: {keys: [k-single], models: ["*"], limits: {concurrent_responses: 1, concurrent_sessions: 1}}
              shut: {keys: [k-shut], models: ["*"], limits: {requests_per_minute: 1000}, on_guardrail_failure: closed}
              served: {keys: [k-served], models: ["*"], limits: {requests_per_minute: 1000}, on_guardrail_failure: open}
            """;
    private final MovableClock clock = new MovableClock(NOON);
    private RedisServer redis;
    private GuardrailBroker a;
    private GuardrailBroker b;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        a = GuardrailBroker.start(yaml("a"), clock, store -> store);
        b = GuardrailBroker.start(yaml("b"), clock, store -> store);
    }

    private String yaml(String node) {
        return "simulator: {enabled: true}\n"
                + "cluster: {store: {kind: redis, uri: \"" + redis.uri() + "\"}, node_id: " + node
                + ", heartbeat: 200ms}\n"
                + "sessions: {resume_secret: \"0123456789abcdef0123\"}\n" + TENANTS;
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
    void a_hundred_requests_spread_over_two_nodes_against_60_per_minute_admit_exactly_60() throws Exception {
        int admitted = 0;
        int limited = 0;
        HttpResponse<String> lastAdmitted = null;
        HttpResponse<String> lastLimited = null;
        for (int i = 0; i < 100; i++) {
            HttpResponse<String> answer = (i % 2 == 0 ? a : b).post("k-paced", GuardrailBroker.chat("sim-chat", 2,
                    false));
            if (answer.statusCode() == 200) {
                admitted++;
                lastAdmitted = answer;
            } else {
                assertEquals(429, answer.statusCode(), answer.body());
                limited++;
                lastLimited = answer;
            }
        }
        assertEquals(60, admitted, "admitted across both nodes");
        assertEquals(40, limited);
        // The headers and the body come out of the asynchronous verdict as they do from a local one.
        assertEquals("60", lastAdmitted.headers().firstValue("x-ratelimit-limit-requests").orElse(""),
                lastAdmitted.headers()::toString);
        assertEquals("0", lastAdmitted.headers().firstValue("x-ratelimit-remaining-requests").orElse(""));
        assertEquals("rate_limit_exceeded", code(lastLimited.body()), lastLimited.body());
        assertTrue(lastLimited.headers().firstValue("Retry-After").isPresent(), lastLimited.headers()::toString);
    }

    @Test
    void a_minute_later_the_rate_is_whole_again_on_both_nodes() throws Exception {
        for (int i = 0; i < 60; i++) {
            assertEquals(200, (i % 2 == 0 ? a : b).post("k-paced", GuardrailBroker.chat("sim-chat", 2, false))
                    .statusCode());
        }
        assertEquals(429, a.post("k-paced", GuardrailBroker.chat("sim-chat", 2, false)).statusCode());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(200, b.post("k-paced", GuardrailBroker.chat("sim-chat", 2, false)).statusCode(),
                "one request refilled after one second");
        assertEquals(429, a.post("k-paced", GuardrailBroker.chat("sim-chat", 2, false)).statusCode());
    }

    @Test
    void a_token_budget_spent_on_one_node_refuses_on_the_other_within_the_overshoot_bound() throws Exception {
        int served = 0;
        for (int i = 0; i < 50; i++) {
            HttpResponse<String> answer = (i % 2 == 0 ? a : b).post("k-thrifty", GuardrailBroker.chat("sim-chat", 8,
                    false));
            if (answer.statusCode() != 200) {
                assertEquals(429, answer.statusCode(), answer.body());
                assertEquals("insufficient_quota", code(answer.body()), answer.body());
                break;
            }
            served++;
        }
        assertTrue(served > 0 && served < 50, "served " + served + " before the budget was spent");
        GuardrailBroker other = served % 2 == 0 ? b : a;
        HttpResponse<String> refused = other.post("k-thrifty", GuardrailBroker.chat("sim-chat", 8, false));
        assertEquals("insufficient_quota", code(refused.body()), refused.body());
        long spent = integer(redis.command("INCRBY sb:g:b/thrifty/0/d2026-12-04 0"));
        // One response at a time: it stops at the delta that reaches the budget, so the overshoot is at most the
        // last response's own tokens (input estimate, one delta, the provider's reconciliation).
        assertTrue(spent >= 100 && spent <= 100 + 8 + 8, "spent " + spent + " of 100");
    }

    @Test
    void a_concurrency_slot_held_on_one_node_is_held_for_the_cluster_and_released_at_the_end() throws Exception {
        try (RealtimeClient first = a.connect("k-single", "sim-chat")) {
            GuardrailBroker.UpgradeAnswer refused = b.upgrade("k-single", "sim-chat");
            assertEquals(429, refused.status(), refused.body());
            assertTrue(refused.body().contains("concurrent_sessions") || refused.body().contains("concurrent"),
                    refused.body());
        }
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() ->
                integer(redis.command("HLEN sb:g:sessions/t/single")) == 0);
        try (RealtimeClient second = b.connect("k-single", "sim-chat")) {
            second.send(RealtimeClient.userMessage("Hello"));
            second.send(RealtimeClient.responseCreate("r1", "{\"sim_tokens\":\"3\",\"sim_ttft_ms\":\"0\"}"));
            assertEquals("completed", last(second.until("response.done")).path("response").path("status").asText());
        }
    }

    @Test
    void slots_of_a_node_whose_heartbeat_lapsed_are_reclaimed() throws Exception {
        RealtimeClient held = a.connect("k-single", "sim-chat");
        assertEquals(429, b.upgrade("k-single", "sim-chat").status());
        // Node a stops beating without leaving, as a frozen or killed process would; its session still "holds".
        a.broker.cluster().orElseThrow().scheduler().shutdownNow();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() ->
                ":0".equals(redis.command("EXISTS sb:node:a")));
        try (RealtimeClient reclaimed = b.connect("k-single", "sim-chat")) {
            assertTrue(reclaimed.closeStatus().isEmpty(), "admitted on b once a's heartbeat lapsed");
        }
        held.close();
    }

    @Test
    void a_cancel_while_the_verdict_is_pending_ends_the_response_at_once_and_gives_its_slot_back() throws Exception {
        try (RealtimeClient client = a.connect("k-single", "sim-chat")) {
            client.send(RealtimeClient.userMessage("Hello"));
            // Redis answers no client for a while: the verdict stays pending, the shard does not wait.
            assertEquals("+OK", redis.command("CLIENT PAUSE 1500 ALL"));
            client.send(RealtimeClient.responseCreate("r1", "{\"sim_tokens\":\"3\",\"sim_ttft_ms\":\"0\"}"));
            client.send(RealtimeClient.responseCreate("r2", "{\"sim_tokens\":\"3\",\"sim_ttft_ms\":\"0\"}"));
            JsonNode second = last(client.until("error")).path("error");
            assertEquals("conversation_already_has_active_response", second.path("code").asText(), second::toString);
            client.send("{\"type\":\"response.cancel\"}");
            List<JsonNode> ended = client.until("response.done");
            assertEquals("response.created", ended.get(0).path("type").asText(), ended::toString);
            JsonNode done = last(ended).path("response");
            assertEquals("cancelled", done.path("status").asText(), done::toString);
            assertEquals("client_cancelled", done.path("status_details").path("reason").asText(), done::toString);
            // Once Redis answers, the abandoned admission gives back its slot: the next response runs.
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() ->
                    integer(redis.command("HLEN sb:g:responses/t/single")) == 0);
            client.send(RealtimeClient.responseCreate("r3", "{\"sim_tokens\":\"3\",\"sim_ttft_ms\":\"0\"}"));
            JsonNode third = last(client.until("response.done")).path("response");
            assertEquals("completed", third.path("status").asText(), third::toString);
            assertFalse(client.received().stream().anyMatch(f -> f.path("type").asText().equals("response.done")
                    && f.path("response").path("id").asText().equals(done.path("id").asText())
                    && f != last(ended)), "the cancelled response ended once");
        }
    }

    @Test
    void a_relayed_response_create_waits_for_its_verdict_and_frames_behind_it_keep_their_order() throws Exception {
        try (RealtimeClient client = a.connect("k-relayed", "sim-realtime")) {
            client.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\","
                    + "\"output_modalities\":[\"text\"]}}");
            client.until("session.updated");
            client.send(RealtimeClient.userMessage("Hello"));
            client.until("conversation.item.done");
            client.send(RealtimeClient.responseCreate("r1", "{\"sim_tokens\":\"3\",\"sim_ttft_ms\":\"0\"}"));
            // Sent right behind the create: it reaches the provider after the create, as the client sent them.
            client.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\","
                    + "\"instructions\":\"after\"}}");
            List<JsonNode> first = client.until("response.done");
            assertEquals("completed", last(first).path("response").path("status").asText(), first::toString);
            await().atMost(Duration.ofSeconds(20)).until(() -> types(client).lastIndexOf("session.updated")
                    > types(client).indexOf("response.created"));
        }
        try (RealtimeClient client = b.connect("k-relayed", "sim-realtime")) {
            client.send(RealtimeClient.responseCreate("r2", "{\"sim_tokens\":\"3\",\"sim_ttft_ms\":\"0\"}"));
            JsonNode error = last(client.until("error")).path("error");
            assertEquals("rate_limit_exceeded", error.path("code").asText(), error::toString);
            assertEquals("r2", error.path("event_id").asText(), error::toString);
        }
    }

    @Test
    void another_hooks_cap_is_combined_with_the_pending_guardrail_verdict() throws Exception {
        ResponseHooks capping = new ResponseHooks() {
            @Override
            public Verdict onResponseRequested(ResponseRequest request) {
                return new Verdict.Modify(OptionalInt.of(1));
            }
        };
        try (GuardrailBroker c = GuardrailBroker.start(yaml("c"), clock, store -> store, capping);
             RealtimeClient client = c.connect("k-paced", "sim-chat")) {
            client.send(RealtimeClient.userMessage("Hello"));
            client.send(RealtimeClient.responseCreate("r1", "{\"sim_tokens\":\"5\",\"sim_ttft_ms\":\"0\"}"));
            List<JsonNode> frames = client.until("response.done");
            assertTrue(frames.stream().anyMatch(f -> f.path("type").asText().equals("rate_limits.updated")),
                    "the guardrails' limits are reported: " + frames);
            JsonNode done = last(frames).path("response");
            assertEquals("incomplete", done.path("status").asText(), done::toString);
            assertEquals("max_output_tokens", done.path("status_details").path("reason").asText(), done::toString);
        }
    }

    @Test
    void while_redis_is_down_a_closed_tenant_is_refused_and_an_open_one_served_then_both_recover() throws Exception {
        assertEquals(200, a.post("k-shut", GuardrailBroker.chat("sim-chat", 2, false)).statusCode());
        redis.stop();
        HttpResponse<String> refused = a.post("k-shut", GuardrailBroker.chat("sim-chat", 2, false));
        assertEquals(503, refused.statusCode(), refused.body());
        assertEquals("guardrail_unavailable", code(refused.body()), refused.body());
        assertEquals(200, b.post("k-served", GuardrailBroker.chat("sim-chat", 2, false)).statusCode());
        try (RealtimeClient client = b.connect("k-shut", "sim-chat")) {
            client.send(RealtimeClient.userMessage("Hello"));
            client.send(RealtimeClient.responseCreate("r1", "{\"sim_tokens\":\"3\",\"sim_ttft_ms\":\"0\"}"));
            assertEquals("guardrail_unavailable", last(client.until("error")).path("error").path("code").asText());
        }

        redis.restart();
        // The link reconnects by itself; the scripts, forgotten by the new server, are sent again (EVAL fallback).
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
                a.post("k-shut", GuardrailBroker.chat("sim-chat", 2, false)).statusCode() == 200);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
                b.post("k-shut", GuardrailBroker.chat("sim-chat", 2, false)).statusCode() == 200);
        assertTrue(redis.command("EXISTS sb:g:rpm/t/shut").equals(":1"), "counted in the new Redis");
    }

    private static List<String> types(RealtimeClient client) {
        return client.received().stream().map(frame -> frame.path("type").asText()).toList();
    }

    private static long integer(String reply) {
        if (reply == null || !reply.startsWith(":")) {
            throw new AssertionError("not an integer reply: " + reply);
        }
        return Long.parseLong(reply.substring(1));
    }

    private static String code(String body) throws Exception {
        return RealtimeClient.JSON.readTree(body).path("error").path("code").asText();
    }

    private static JsonNode last(List<JsonNode> frames) {
        return frames.get(frames.size() - 1);
    }
}
