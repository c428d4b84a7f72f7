package dev.switchboard.loadtest;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a run records. Recorders take values from any thread, wait-free (HdrHistogram {@link Recorder});
 * counters are {@link LongAdder}s. Latencies are recorded in microseconds between 1 µs and one hour; a larger
 * value is clamped to an hour and a negative one to 0. Only {@link Harvester} reads the recorders.
 */
final class Measurements {
    static final long MAX_MICROS = TimeUnit.HOURS.toMicros(1);
    private static final int DIGITS = 3;
    private static final Logger LOG = LoggerFactory.getLogger(Measurements.class);

    final Recorder connect = recorder();
    final Recorder ttft = recorder();
    final Recorder brokerTtft = recorder();
    final Recorder interDelta = recorder();
    final Recorder brokerDelta = recorder();
    final Recorder cancelAck = recorder();
    final Recorder sendLag = recorder();
    /** Resume scenario: reconnect start to {@code session.resumed}. */
    final Recorder resume = recorder();
    /** Resume scenario: reconnect start to the probe's answer, after every replayed event. */
    final Recorder replay = recorder();
    /** Resume scenario, backlog mode: reconnect start to the N-th replayed event. */
    final Recorder replayBacklog = recorder();
    /** Resume and cluster scenarios: the drop (offline time included) to {@code session.resumed}. */
    final Recorder dropToResumed = recorder();
    /** Resume and cluster scenarios: the drop to the first event after the resume point. */
    final Recorder dropToFirstEvent = recorder();
    /** Guardrail refusals of {@code response.create}: intended send to the refusing {@code error} event. */
    final Recorder refusal = recorder();

    final LongAdder events = new LongAdder();
    final LongAdder deltas = new LongAdder();
    final LongAdder stampedDeltas = new LongAdder();
    final LongAdder negativeStamps = new LongAdder();
    final LongAdder completed = new LongAdder();
    final LongAdder cancelled = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder incomplete = new LongAdder();
    final LongAdder requestsScheduled = new LongAdder();
    final LongAdder requestsSent = new LongAdder();
    final LongAdder requestsLate = new LongAdder();
    final LongAdder requestsUnsent = new LongAdder();
    final LongAdder cancelsSent = new LongAdder();
    final LongAdder cancelsAcknowledged = new LongAdder();
    final LongAdder cancelsRaced = new LongAdder();
    final LongAdder seqGaps = new LongAdder();
    final LongAdder seqMissing = new LongAdder();
    final LongAdder seqDuplicates = new LongAdder();
    final LongAdder errorTotal = new LongAdder();
    /** {@code error} events with code {@code rate_limit_exceeded}: guardrail refusals, not errors. */
    final LongAdder refusedRateLimit = new LongAdder();
    /** {@code error} events with code {@code insufficient_quota}: a spent budget's refusals, not errors. */
    final LongAdder refusedQuota = new LongAdder();
    /** {@code response.done} with status {@code incomplete} and reason {@code budget_exhausted}. */
    final LongAdder cutByBudget = new LongAdder();
    /** {@code rate_limits.updated} events: a broker with guardrails sends one per admitted or rate-refused request. */
    final LongAdder rateLimitsUpdated = new LongAdder();
    /** Sessions currently open (after {@code session.created}, before close). */
    final AtomicInteger sessionsOpen = new AtomicInteger();
    /** Sessions that ever received {@code session.created}. */
    final AtomicInteger sessionsConnected = new AtomicInteger();

    private final ConcurrentHashMap<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, String> errorSamples = new ConcurrentHashMap<>();
    private final AtomicBoolean seqGapLogged = new AtomicBoolean();
    private final AtomicBoolean seqDuplicateLogged = new AtomicBoolean();

    private static Recorder recorder() {
        return new Recorder(MAX_MICROS, DIGITS);
    }

    /** Records {@code nanos} as whole microseconds, clamped to the recorders' range. */
    static void recordNanos(Recorder recorder, long nanos) {
        recordMicros(recorder, nanos / 1_000);
    }

    static void recordMicros(Recorder recorder, long micros) {
        recorder.recordValue(Math.max(0, Math.min(MAX_MICROS, micros)));
    }

    /**
     * Records the broker-added latency of a stamped delta, {@code addedMicros} = receipt − stamp; {@code first}
     * when it is the response's first delta. A negative value (a clock step) is counted and recorded as 0.
     */
    void recordStamp(long addedMicros, boolean first) {
        stampedDeltas.increment();
        if (addedMicros < 0) {
            negativeStamps.increment();
        }
        recordMicros(brokerDelta, addedMicros);
        if (first) {
            recordMicros(brokerTtft, addedMicros);
        }
    }

    /**
     * Counts one error under {@code code}. The first occurrence of each code is logged once with its detail
     * and kept as the report's sample; later ones only count. Never logs prompt or completion text.
     */
    void error(String code, String detail) {
        errors.computeIfAbsent(code, c -> new LongAdder()).increment();
        errorTotal.increment();
        if (errorSamples.putIfAbsent(code, detail) == null) {
            LOG.warn("first error '{}': {}", code, detail);
        }
    }

    /** A session's {@code seq} jumped from {@code last} to {@code got}: {@code got - last - 1} events missing. */
    void seqGap(long last, long got) {
        seqGaps.increment();
        seqMissing.add(got - last - 1);
        if (seqGapLogged.compareAndSet(false, true)) {
            LOG.warn("first seq gap: {} followed {} ({} missing)", got, last, got - last - 1);
        }
    }

    /** A session's {@code seq} went from {@code last} to {@code got <= last}: a duplicate or a reordering. */
    void seqDuplicate(long last, long got) {
        seqDuplicates.increment();
        if (seqDuplicateLogged.compareAndSet(false, true)) {
            LOG.warn("first seq duplicate: {} followed {}", got, last);
        }
    }

    /** Errors by code, sorted by code. */
    Map<String, Long> errorsByCode() {
        Map<String, Long> out = new TreeMap<>();
        errors.forEach((code, count) -> out.put(code, count.sum()));
        return out;
    }

    /** The first detail message of each error code. */
    Map<String, String> errorSamples() {
        return new TreeMap<>(errorSamples);
    }
}
