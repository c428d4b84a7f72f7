package dev.switchboard.broker.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The broker's meters. Meter handles are cached per tag combination so the hot path does no registry lookups.
 *
 * <ul>
 *   <li>{@code broker.response.ttft} — client-visible time to first token: {@code response.create} received to
 *       first delta handed to the connection; tags {@code model}, {@code provider}</li>
 *   <li>{@code broker.response.ttft.added} — the broker's share of it: first upstream delta read to first delta
 *       handed to the connection; tags {@code model}, {@code provider}</li>
 *   <li>{@code bridge.upstream.ttft} — upstream request sent to first upstream delta read; tag {@code provider}</li>
 *   <li>{@code broker.sessions.active}, {@code broker.responses} (tags {@code outcome}, {@code model}),
 *       {@code broker.ring.occupancy} (tag {@code shard}), {@code broker.backpressure.pauses},
 *       {@code broker.client.errors} (tag {@code code}), {@code broker.deltas.discarded},
 *       {@code broker.connections.slow_consumer}</li>
 * </ul>
 */
public final class BrokerMetrics {
    private static final Duration MIN_EXPECTED = Duration.ofMillis(1);
    private static final Duration MAX_EXPECTED = Duration.ofSeconds(60);

    private final PrometheusMeterRegistry registry;
    private final java.util.concurrent.ConcurrentHashMap<String, Counter> policyMatches =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicInteger activeSessions = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    /**
     * Each live connection's unsent-byte count, summed only when read: a shared counter updated on every frame by
     * the shard and Jetty threads was the broker's single hottest method at 1,000 sessions.
     */
    private final java.util.Set<java.util.function.LongSupplier> unsent = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
    private final Counter backpressurePauses;
    private final Counter discardedDeltas;
    private final Counter slowConsumers;
    private final Counter replayLogStops;
    private final Counter resumes;
    private final Counter takenOver;

    /** Creates the meters in a new Prometheus registry. */
    public BrokerMetrics() {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        Gauge.builder("broker.sessions.active", activeSessions, AtomicInteger::get)
                .description("Live sessions, with or without a connection (waiting for a resume)")
                .register(registry);
        Gauge.builder("broker.connections.active", connections, AtomicInteger::get)
                .description("Client connections attached to a session").register(registry);
        Gauge.builder("broker.outbound.unsent.bytes", this, BrokerMetrics::unsentOutboundBytes)
                .description("Bytes queued for client connections and not yet written, over all connections")
                .register(registry);
        resumes = Counter.builder("broker.sessions.resumed")
                .description("Connections that resumed a session").register(registry);
        takenOver = Counter.builder("broker.sessions.taken_over")
                .description("Responses in progress that this node continued after the node running them was lost")
                .register(registry);
        backpressurePauses = Counter.builder("broker.backpressure.pauses")
                .description("Times an upstream stopped being read because its client connection was full")
                .register(registry);
        discardedDeltas = Counter.builder("broker.deltas.discarded")
                .description("Deltas of already-ended responses dropped before reaching the client")
                .register(registry);
        replayLogStops = Counter.builder("broker.responses.replay_log_stops")
                .description("Responses of detached sessions ended incomplete because the replay log filled")
                .register(registry);
        slowConsumers = Counter.builder("broker.connections.slow_consumer")
                .description("Connections closed because the client read too slowly").register(registry);
    }

    /** The registry, for {@code /metrics} and for binding other meters (caches, JVM). */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    /** A session started. */
    public void sessionOpened() {
        activeSessions.incrementAndGet();
    }

    /** A session ended for good (closed normally or expired). */
    public void sessionClosed() {
        activeSessions.decrementAndGet();
    }

    /** Live sessions, with or without a connection. */
    public int activeSessions() {
        return activeSessions.get();
    }

    /** A connection attached to a session (opened it or resumed it). */
    public void connectionAttached() {
        connections.incrementAndGet();
    }

    /** A session's connection closed. */
    public void connectionDetached() {
        connections.decrementAndGet();
    }

    /** Connections attached to sessions. */
    public int activeConnections() {
        return connections.get();
    }

    /** Counts {@code connection}'s unsent bytes in {@code broker.outbound.unsent.bytes} until it is removed. */
    public void trackOutbound(java.util.function.LongSupplier connection) {
        unsent.add(connection);
    }

    /** Stops counting a closed connection. */
    public void untrackOutbound(java.util.function.LongSupplier connection) {
        unsent.remove(connection);
    }

    /** Bytes queued for clients and not yet written, over all live connections. */
    public long unsentOutboundBytes() {
        long sum = 0;
        for (java.util.function.LongSupplier connection : unsent) {
            sum += connection.getAsLong();
        }
        return sum;
    }

    /**
     * A response was cut off (client cancel or barge-in): {@code nanos} from the interrupting event's arrival to
     * the broker's {@code response.done} being handed to the connection.
     */
    public void bargeIn(String model, String reason, long nanos) {
        timers.computeIfAbsent("bargein|" + model + "|" + reason, k -> Timer.builder("broker.bargein.latency")
                .description("Interrupting event received to the cut-off response.done written")
                .tags("model", model, "reason", reason).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(1000)).maximumExpectedValue(Duration.ofSeconds(1))
                .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** An event of a cut-off response was dropped; {@code audioChars} is its audio payload size (0 if none). */
    public void staleDiscarded(String model, long audioChars) {
        counters.computeIfAbsent("stale|" + model, k -> Counter.builder("broker.bargein.stale.events")
                .description("Events of cut-off responses dropped before reaching the client")
                .tag("model", model).register(registry)).increment();
        if (audioChars > 0) {
            counters.computeIfAbsent("staleaudio|" + model, k -> Counter.builder("broker.bargein.stale.audio")
                    .description("Characters of base64 audio of cut-off responses dropped")
                    .baseUnit("chars").tag("model", model).register(registry)).increment(audioChars);
        }
    }

    /** A response in progress was taken over from a lost node (issue 17). */
    public void sessionTakenOver() {
        takenOver.increment();
    }

    /** A connection resumed a session. */
    public void sessionResumed() {
        resumes.increment();
    }

    /** Records client-visible and broker-added time to first token. */
    public void firstToken(String model, String provider, long clientNanos, long addedNanos) {
        timer("broker.response.ttft", "Client-visible time to first token", model, provider)
                .record(clientNanos, TimeUnit.NANOSECONDS);
        timer("broker.response.ttft.added", "Broker-added time to first token", model, provider)
                .record(addedNanos, TimeUnit.NANOSECONDS);
    }

    /** Records upstream time to first token. */
    public void upstreamFirstToken(String provider, long nanos) {
        timer("bridge.upstream.ttft", "Upstream time to first token", "", provider).record(nanos, TimeUnit.NANOSECONDS);
    }

    private Timer timer(String name, String description, String model, String provider) {
        return timers.computeIfAbsent(name + '|' + model + '|' + provider, k -> {
            Timer.Builder builder = Timer.builder(name).description(description).tag("provider", provider)
                    .publishPercentileHistogram().minimumExpectedValue(MIN_EXPECTED)
                    .maximumExpectedValue(MAX_EXPECTED);
            if (!model.isEmpty()) {
                builder.tag("model", model);
            }
            return builder.register(registry);
        });
    }

    /** A response ended with {@code outcome} ({@code completed}, {@code cancelled}, {@code failed}, ...). */
    public void responseEnded(String model, String outcome) {
        counter("broker.responses", "Responses by final status", "outcome", outcome, "model", model).increment();
    }

    /** An error event was sent to a client for bad input. */
    public void clientError(String code) {
        counter("broker.client.errors", "Error events sent for client input", "code", code, "", "").increment();
    }

    private Counter counter(String name, String description, String k1, String v1, String k2, String v2) {
        return counters.computeIfAbsent(name + '|' + v1 + '|' + v2, k -> {
            Counter.Builder builder = Counter.builder(name).description(description).tag(k1, v1);
            if (!k2.isEmpty()) {
                builder.tag(k2, v2);
            }
            return builder.register(registry);
        });
    }

    /** An upstream was paused for backpressure. */
    public void backpressurePaused() {
        backpressurePauses.increment();
    }

    /** A detached session's response was ended because its replay log filled. */
    public void replayLogStopped() {
        replayLogStops.increment();
    }

    /**
     * A content policy rule matched ({@code broker.policy.matches}).
     *
     * @param direction {@code input} or {@code output}
     * @param action {@code redact}, {@code block} or {@code flag}
     */
    public void policyMatched(String direction, String action) {
        policyMatches.computeIfAbsent(direction + "/" + action, k -> Counter.builder("broker.policy.matches")
                .description("Content policy rules that matched").tag("direction", direction).tag("action", action)
                .register(registry)).increment();
    }

    /** A stale delta was dropped. */
    public void deltaDiscarded() {
        discardedDeltas.increment();
    }

    /** A slow consumer was disconnected. */
    public void slowConsumerClosed() {
        slowConsumers.increment();
    }

    /** An upstream attempt is retried on the same provider. */
    public void upstreamRetried(String provider) {
        counter("bridge.upstream.retries", "Attempts retried on the same provider", "provider", provider, "", "")
                .increment();
    }

    /** A response moved from {@code provider} to the route's next target. */
    public void upstreamFailedOver(String provider, String mode) {
        counter("bridge.upstream.failovers", "Responses moved to the next target of their route", "provider",
                provider, "mode", mode).increment();
    }

    /** Registers a provider's circuit state gauge: 0 closed, 1 open, 2 half-open. */
    public void circuitState(String provider, Supplier<Number> state) {
        // A provider rebuilt by a live reload gets a new breaker: its gauge replaces the old one's.
        Gauge old = registry.find("bridge.circuit.state").tag("provider", provider).gauge();
        if (old != null) {
            registry.remove(old);
        }
        Gauge.builder("bridge.circuit.state", state).description("Circuit breaker state: 0 closed, 1 open, 2 half open")
                .tag("provider", provider).register(registry);
    }

    /** Registers a ring's occupancy gauge. */
    public void ringOccupancy(int shard, Supplier<Number> occupancy) {
        Gauge.builder("broker.ring.occupancy", occupancy).description("Slots in use in a shard's ring buffer")
                .tag("shard", Integer.toString(shard)).register(registry);
    }
}
