package dev.switchboard.broker.guardrail;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.session.ResponseHooks;
import dev.switchboard.broker.session.ResponseHooks.SessionInfo;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, {@code on_guardrail_failure} and the guardrail meters, through the real broker: its usage store is
 * wrapped in a {@link FailingStore} that fails while the test says so. A {@code closed} tenant is refused (HTTP 503
 * and a WebSocket {@code error} event, code {@code guardrail_unavailable}) and served again once the store answers;
 * an {@code open} tenant is served and {@code broker_guardrail_store_failures_total} rises on {@code /metrics}.
 * Concurrency slots come through an outage whole: one held by a response that ends during it is given back once
 * the store answers, and a session admitted without one frees none at its close. Also: a refusal is counted in
 * {@code broker_guardrail_decisions_total{decision="deny",limit="requests"}}. The clock is fixed, so rate windows
 * never refill and every count is exact; each test has its own tenant (a tenant without
 * {@code on_guardrail_failure} is {@code closed}: {@code shut-http} shows the default).
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class FailureModeTest {
    private static final String YAML = """
            simulator: {enabled: true}
            tenants:
              shut-http: {keys: [k-shut-http], models: ["*"], limits: {requests_per_minute: 1000}}
              shut-ws:
                keys: [k-shut-ws]
                models: ["*"]
                limits: {requests_per_minute: 1000}
                on_guardrail_failure: closed
              served:
                keys: [k-served]
                models: ["*"]
                limits: {requests_per_minute: 1000, concurrent_responses: 5}
                budgets: [{period: day, tokens: 1000000}]
                on_guardrail_failure: open
              one-at-a-time: {keys: [k-one], models: ["*"], limits: {concurrent_responses: 1}}
              shut-sessions: {keys: [k-shut-sessions], models: ["*"], limits: {concurrent_sessions: 5}}
              open-sessions:
                keys: [k-open-sessions]
                models: ["*"]
                limits: {concurrent_sessions: 1}
                on_guardrail_failure: open
              paced: {keys: [k-paced], models: ["*"], limits: {requests_per_minute: 1}}
            """;
    private static final String SHORT = "{\"sim_tokens\":\"3\",\"sim_ttft_ms\":\"0\"}";
    private static final AtomicReference<FailingStore> STORE = new AtomicReference<>();
    /** Sessions whose end the guardrails have handled (this hook runs after theirs). */
    private static final AtomicInteger ENDED = new AtomicInteger();
    private static GuardrailBroker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = GuardrailBroker.start(YAML, InstantSource.fixed(Instant.parse("2026-12-04T12:00:00Z")), store -> {
            FailingStore failing = new FailingStore(store);
            STORE.set(failing);
            return failing;
        }, new ResponseHooks() {
            @Override
            public void onSessionClosed(SessionInfo session, String reason) {
                ENDED.incrementAndGet();
            }
        });
    }

    @AfterEach
    void storeAnswersAgain() {
        STORE.get().failing = false;
    }

    @AfterAll
    static void stop() throws Exception {
        broker.close();
    }

    @Test
    void a_closed_tenant_is_refused_503_guardrail_unavailable_over_http_while_the_store_fails_then_served_again()
            throws Exception {
        STORE.get().failing = true;
        HttpResponse<String> refused = broker.post("k-shut-http", GuardrailBroker.chat("sim-chat", 3, false));
        assertEquals(503, refused.statusCode(), refused.body());
        assertEquals("guardrail_unavailable", code(refused.body()), refused.body());
        assertTrue(refused.headers().firstValue("Retry-After").isPresent(), refused.headers()::toString);

        STORE.get().failing = false;
        HttpResponse<String> served = broker.post("k-shut-http", GuardrailBroker.chat("sim-chat", 3, false));
        assertEquals(200, served.statusCode(), served.body());
    }

    @Test
    void a_closed_tenants_response_create_gets_an_error_event_while_the_store_fails_and_the_session_stays_usable()
            throws Exception {
        try (RealtimeClient client = broker.connect("k-shut-ws", "sim-chat")) {
            client.send(RealtimeClient.userMessage("Hello"));
            STORE.get().failing = true;
            client.send(RealtimeClient.responseCreate("r1", SHORT));
            JsonNode error = last(client.until("error")).path("error");
            assertEquals("guardrail_unavailable", error.path("code").asText(), error::toString);
            assertEquals("r1", error.path("event_id").asText(), error::toString);

            STORE.get().failing = false;
            client.send(RealtimeClient.responseCreate("r2", SHORT));
            JsonNode done = last(client.until("response.done")).path("response");
            assertEquals("completed", done.path("status").asText(), done::toString);
        }
    }

    @Test
    void an_open_tenant_is_served_while_the_store_fails_and_store_failures_rise_on_metrics() throws Exception {
        double before = broker.metric("broker_guardrail_store_failures_total").orElseThrow();
        STORE.get().failing = true;
        HttpResponse<String> http = broker.post("k-served", GuardrailBroker.chat("sim-chat", 3, false));
        assertEquals(200, http.statusCode(), http.body());
        try (RealtimeClient client = broker.connect("k-served", "sim-chat")) {
            client.send(RealtimeClient.userMessage("Hello"));
            client.send(RealtimeClient.responseCreate("r1", SHORT));
            JsonNode done = last(client.until("response.done")).path("response");
            assertEquals("completed", done.path("status").asText(), done::toString);
        }
        double after = broker.metric("broker_guardrail_store_failures_total").orElseThrow();
        assertTrue(after >= before + 2, "store failures went from " + before + " to " + after);
    }

    @Test
    void a_concurrency_slot_held_when_the_store_fails_is_given_back_once_the_store_answers_again() throws Exception {
        try (RealtimeClient client = broker.connect("k-one", "sim-chat")) {
            client.send(RealtimeClient.userMessage("Hello"));
            client.send(RealtimeClient.responseCreate("long", "{\"sim_tokens\":\"3000\",\"sim_ttft_ms\":\"0\","
                    + "\"sim_tokens_per_second\":\"200\"}"));
            client.until("response.output_text.delta");
            // The response ends (cancelled) while the store cannot answer, so its slot cannot be given back then.
            STORE.get().failing = true;
            client.send("{\"type\":\"response.cancel\"}");
            JsonNode cancelled = last(client.until("response.done")).path("response");
            assertEquals("cancelled", cancelled.path("status").asText(), cancelled::toString);

            STORE.get().failing = false;
            client.send(RealtimeClient.responseCreate("next", SHORT));
            JsonNode next = last(client.until(f -> f.path("type").asText().equals("response.done")
                    || f.path("type").asText().equals("error")));
            assertEquals("response.done", next.path("type").asText(), next::toString);
            assertEquals("completed", next.path("response").path("status").asText(), next::toString);
        }
    }

    @Test
    void a_closed_tenants_websocket_upgrade_is_refused_503_guardrail_unavailable_while_the_store_fails()
            throws Exception {
        STORE.get().failing = true;
        GuardrailBroker.UpgradeAnswer refused = broker.upgrade("k-shut-sessions", "sim-chat");
        assertEquals(503, refused.status(), refused::toString);
        assertEquals("guardrail_unavailable", code(refused.body()), refused::toString);
        STORE.get().failing = false;
        broker.connect("k-shut-sessions", "sim-chat").close();
    }

    @Test
    void an_open_tenants_session_admitted_without_a_slot_during_an_outage_does_not_free_another_sessions_slot()
            throws Exception {
        try (RealtimeClient holder = broker.connect("k-open-sessions", "sim-chat")) {
            STORE.get().failing = true;
            RealtimeClient duringOutage = broker.connect("k-open-sessions", "sim-chat");
            STORE.get().failing = false;
            int ended = ENDED.get();
            duringOutage.close();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> ENDED.get() > ended);
            // The holder still has the tenant's only session slot, so a new session must wait for it. (The closed
            // session took no slot; giving one back for it at its close used to free the holder's.)
            assertEquals(429, broker.upgrade("k-open-sessions", "sim-chat").status());
            holder.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\"}}");
            holder.until("session.updated");
        }
    }

    @Test
    void a_refusal_for_requests_per_minute_shows_on_metrics_as_decision_deny_limit_requests() throws Exception {
        String[] denyRequests = {"decision=\"deny\"", "limit=\"requests\""};
        double before = broker.metric("broker_guardrail_decisions_total", denyRequests).orElse(0);
        assertEquals(200, broker.post("k-paced", GuardrailBroker.chat("sim-chat", 3, false)).statusCode());
        HttpResponse<String> refused = broker.post("k-paced", GuardrailBroker.chat("sim-chat", 3, false));
        assertEquals(429, refused.statusCode(), refused.body());
        assertEquals("rate_limit_exceeded", code(refused.body()), refused.body());
        assertEquals(before + 1, broker.metric("broker_guardrail_decisions_total", denyRequests).orElseThrow());
    }

    private static String code(String body) throws Exception {
        return RealtimeClient.JSON.readTree(body).path("error").path("code").asText();
    }

    private static JsonNode last(List<JsonNode> frames) {
        return frames.get(frames.size() - 1);
    }
}
