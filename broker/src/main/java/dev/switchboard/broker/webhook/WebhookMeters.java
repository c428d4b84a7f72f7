package dev.switchboard.broker.webhook;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The webhooks' meters (tags have low cardinality: event types and fixed reason words, never an endpoint URL):
 * <ul>
 *   <li>{@code broker.webhooks.delivered} (tag {@code event}) — messages a receiver accepted with a 2xx</li>
 *   <li>{@code broker.webhooks.attempts.failed} (tag {@code reason}: {@code status}, {@code rate_limited},
 *       {@code timeout}, {@code network}, {@code refused_address}) — attempts that will be retried or given up</li>
 *   <li>{@code broker.webhooks.dropped} (tag {@code reason}: {@code queue_full}, {@code outbox_full},
 *       {@code gave_up}, {@code disabled}, {@code unknown_endpoint}) — messages never delivered</li>
 *   <li>{@code broker.webhooks.endpoints.disabled} — endpoints disabled by a 410</li>
 *   <li>{@code broker.webhooks.outbox.size} — messages waiting in the outbox</li>
 *   <li>{@code broker.webhooks.outbox.errors} — outbox writes or deletes that failed</li>
 *   <li>{@code broker.webhooks.cluster.claims} (tag {@code outcome}: {@code claimed}, {@code duplicate},
 *       {@code unreachable}) — in a cluster, events claimed in Redis before they are announced</li>
 * </ul>
 * Thread-safe.
 */
final class WebhookMeters {
    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
    private final AtomicInteger pending = new AtomicInteger();

    WebhookMeters(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("broker.webhooks.outbox.size", pending, AtomicInteger::get)
                .description("Webhook messages waiting in the outbox").register(registry);
        for (String reason : new String[] {"queue_full", "outbox_full", "gave_up", "disabled", "unknown_endpoint"}) {
            counter("broker.webhooks.dropped", "reason", reason);
        }
        counter("broker.webhooks.endpoints.disabled", null, null);
        counter("broker.webhooks.outbox.errors", null, null);
    }

    void delivered(String event) {
        counter("broker.webhooks.delivered", "event", event).increment();
    }

    void failedAttempt(String reason) {
        counter("broker.webhooks.attempts.failed", "reason", reason).increment();
    }

    void dropped(String reason) {
        counter("broker.webhooks.dropped", "reason", reason).increment();
    }

    void endpointDisabled() {
        counter("broker.webhooks.endpoints.disabled", null, null).increment();
    }

    void outboxError() {
        counter("broker.webhooks.outbox.errors", null, null).increment();
    }

    void claim(String outcome) {
        counter("broker.webhooks.cluster.claims", "outcome", outcome).increment();
    }

    void pending(int size) {
        pending.set(size);
    }

    private Counter counter(String name, String tag, String value) {
        return counters.computeIfAbsent(name + "|" + value, k -> {
            Counter.Builder builder = Counter.builder(name);
            if (tag != null) {
                builder.tag(tag, value);
            }
            return builder.register(registry);
        });
    }
}
