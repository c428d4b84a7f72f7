package dev.switchboard.broker.guardrail;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The guardrails' meters: {@code broker.guardrail.decisions{decision, limit}} (Prometheus
 * {@code broker_guardrail_decisions_total}), {@code broker.guardrail.store.failures} and
 * {@code broker.guardrail.budget.stops}. No tenant tag: tenants are unbounded, tags must not be. Thread-safe.
 */
final class GuardrailMeters {
    private final MeterRegistry registry;
    private final Counter allowed;
    private final Counter clamped;
    private final Counter storeFailures;
    private final Counter budgetStops;
    private final Map<String, Counter> denied = new ConcurrentHashMap<>();

    GuardrailMeters(MeterRegistry registry) {
        this.registry = registry;
        this.allowed = decision("allow", "none");
        this.clamped = decision("clamp", "max_output_tokens");
        this.storeFailures = Counter.builder("broker.guardrail.store.failures")
                .description("usage store calls that failed (on_guardrail_failure decides what followed)")
                .register(registry);
        this.budgetStops = Counter.builder("broker.guardrail.budget.stops")
                .description("output deltas that found a budget spent and stopped their response").register(registry);
        for (String limit : new String[] {"requests", "tokens", "concurrent_responses", "concurrent_sessions",
            "budget", "store"}) {
            denied.put(limit, decision("deny", limit));
        }
    }

    private Counter decision(String decision, String limit) {
        return Counter.builder("broker.guardrail.decisions").tag("decision", decision).tag("limit", limit)
                .description("guardrail decisions on sessions and responses").register(registry);
    }

    void allowed() {
        allowed.increment();
    }

    void clamped() {
        clamped.increment();
    }

    void denied(String limit) {
        denied.get(limit).increment();
    }

    void storeFailed() {
        storeFailures.increment();
    }

    void budgetStop() {
        budgetStops.increment();
    }
}
