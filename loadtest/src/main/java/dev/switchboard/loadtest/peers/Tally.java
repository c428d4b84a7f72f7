package dev.switchboard.loadtest.peers;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What one run counts inside its {@link Window}: a latency histogram (time to first token, or round-trip time),
 * completed requests, tokens and errors. Every method is safe to call from any thread without a lock (HdrHistogram
 * {@link Recorder}, {@link LongAdder}); each takes the instant of the event and ignores events outside the window,
 * so callers need not know where the window lies.
 */
final class Tally {
    /** Latencies above a minute are clamped; no request of a bounded run waits that long and still counts. */
    private static final long MAX_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final Window window;
    private final Recorder latency = new Recorder(MAX_NANOS, 3);
    private final LongAdder completed = new LongAdder();
    private final LongAdder tokens = new LongAdder();
    private final LongAdder errors = new LongAdder();

    Tally(Window window) {
        this.window = window;
    }

    /** The window this tally counts in. */
    Window window() {
        return window;
    }

    /** A latency sample of a request sent at {@code sentNanos}; it counts if the request was sent in the window. */
    void latency(long sentNanos, long nowNanos) {
        if (window.contains(sentNanos) && window.contains(nowNanos)) {
            latency.recordValue(Math.min(Math.max(0, nowNanos - sentNanos), MAX_NANOS));
        }
    }

    /** {@code count} tokens that arrived at {@code nowNanos}. */
    void tokens(int count, long nowNanos) {
        if (count > 0 && window.contains(nowNanos)) {
            tokens.add(count);
        }
    }

    /** A request (a stream, or a round trip) that finished well at {@code nowNanos}. */
    void completed(long nowNanos) {
        if (window.contains(nowNanos)) {
            completed.increment();
        }
    }

    /** A request that failed at {@code nowNanos}; failures during the warm-up count too, they are never noise. */
    void error(long nowNanos) {
        if (nowNanos < window.endNanos()) {
            errors.increment();
        }
    }

    /** Requests completed in the window. */
    long completedCount() {
        return completed.sum();
    }

    /** Tokens received in the window. */
    long tokenCount() {
        return tokens.sum();
    }

    /** Failed requests up to the window's end. */
    long errorCount() {
        return errors.sum();
    }

    /** The latencies recorded so far; call once, after the load has drained. */
    Histogram latencies() {
        return latency.getIntervalHistogram();
    }
}
