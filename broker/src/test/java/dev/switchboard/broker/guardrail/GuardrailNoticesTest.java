package dev.switchboard.broker.guardrail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import dev.switchboard.broker.notice.Notice;
import dev.switchboard.broker.session.ResponseHooks;
import dev.switchboard.broker.tenant.Principal;
import dev.switchboard.broker.tenant.TenantRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** What the guardrails publish for the audit log and webhooks: refusals by a limit, budget thresholds, exhaustion. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class GuardrailNoticesTest {
    private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");
    private final List<Notice> notices = new CopyOnWriteArrayList<>();
    private BrokerConfig config;
    private TenantGuardrails guardrails;
    private TenantRegistry registry;

    @BeforeEach
    void start() throws Exception {
        config = new ConfigLoader(System::getenv).parse("""
            simulator: {enabled: true}
            models:
              sim-chat: {route: [simulator/sim-chat]}
            tenants:
              acme:
                keys: [sk-acme, {key: sk-batch, id: batch, limits: {requests_per_minute: 1}}]
                models: ["*"]
                limits: {concurrent_sessions: 1}
                budgets: [{period: day, tokens: 100, alert_at: [0.8, 0.5]}]
            """);
        guardrails = TenantGuardrails.of(config, new LocalUsageStore(), InstantSource.fixed(NOW),
                new SimpleMeterRegistry(), notices::add).orElseThrow();
        registry = TenantRegistry.from(config.tenants());
    }

    private ResponseHooks.ResponseInfo response(String session, String key) {
        return new ResponseHooks.ResponseInfo(new ResponseHooks.SessionInfo(session, "acme", key, "sim-chat",
                ResponseHooks.Transport.WEBSOCKET), "resp_" + session);
    }

    private ResponseHooks.Verdict request(String session, String key) {
        return guardrails.onResponseRequested(new ResponseHooks.ResponseRequest(response(session, key), "simulator",
                "sim-chat", 0, OptionalInt.empty(), NOW));
    }

    @Test
    void a_refusal_by_a_limit_names_the_tenant_the_key_the_limit_and_its_value() {
        Principal principal = registry.resolve("sk-acme").orElseThrow();
        assertTrue(guardrails.admitSession(principal).isEmpty());
        assertTrue(guardrails.admitSession(principal).isPresent());
        assertInstanceOf(ResponseHooks.Verdict.Allow.class, request("s1", "batch"));
        guardrails.onResponseEnded(ended("s1", "batch"));
        assertInstanceOf(ResponseHooks.Verdict.Deny.class, request("s2", "batch"));

        assertEquals(List.of(new Notice.LimitExceeded(NOW, "acme", "", "concurrent_sessions", 1),
                new Notice.LimitExceeded(NOW, "acme", "batch", "requests_per_minute", 1)), notices);
    }

    @Test
    void each_alert_threshold_is_announced_once_when_crossed_and_exhaustion_once() {
        String key = registry.resolve("sk-acme").orElseThrow().keyId();
        request("s1", key);
        ResponseHooks.ResponseInfo response = response("s1", key);
        String fortyChars = "x".repeat(38);  // 10 tokens per delta
        for (int i = 0; i < 12; i++) {
            guardrails.onOutputDelta(response, ResponseHooks.DeltaKind.TEXT, fortyChars, 0);
        }

        assertEquals(List.of(
                new Notice.BudgetThreshold(NOW, "acme", 0, "day", "2026-12-04", "tokens", 0.5, 50, 100),
                new Notice.BudgetThreshold(NOW, "acme", 0, "day", "2026-12-04", "tokens", 0.8, 80, 100),
                new Notice.BudgetExhausted(NOW, "acme", 0, "day", "2026-12-04", "tokens", 100, 100)), notices);
    }

    private static ResponseHooks.ResponseRecord ended(String session, String key) {
        return new ResponseHooks.ResponseRecord(new ResponseHooks.ResponseInfo(new ResponseHooks.SessionInfo(session,
                "acme", key, "sim-chat", ResponseHooks.Transport.WEBSOCKET), "resp_" + session), "completed", "", 0,
                0, 0, 0, 0, "simulator", "sim-chat", 0, java.util.Optional.empty(), java.time.Duration.ZERO, NOW);
    }
}
