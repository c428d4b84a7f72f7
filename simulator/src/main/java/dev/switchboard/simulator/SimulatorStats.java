package dev.switchboard.simulator;

import java.util.concurrent.atomic.LongAdder;

/**
 * Live counters of one {@link ProviderSimulator}.
 *
 * <p>Thread-safe: counters are {@link LongAdder}s incremented by Jetty and pacing threads and readable from any
 * thread. Each getter is individually up to date; reading several getters is not an atomic snapshot.
 */
public final class SimulatorStats {

    private final LongAdder requests = new LongAdder();
    private final LongAdder streamsStarted = new LongAdder();
    private final LongAdder streamsCompleted = new LongAdder();
    private final LongAdder streamsAborted = new LongAdder();

    SimulatorStats() {
    }

    /** HTTP requests received on any path, including rejected and unknown ones. */
    public long requests() {
        return requests.sum();
    }

    /** Streaming chat completions whose response was begun (status 200 and SSE headers). */
    public long streamsStarted() {
        return streamsStarted.sum();
    }

    /** Streams that wrote {@code data: [DONE]} and completed successfully. */
    public long streamsCompleted() {
        return streamsCompleted.sum();
    }

    /** Streams that ended early: client disconnect, failed write, idle timeout or simulator shutdown. */
    public long streamsAborted() {
        return streamsAborted.sum();
    }

    /** Streams started but neither completed nor aborted; approximate while streams are changing state. */
    public long streamsActive() {
        return streamsStarted() - streamsCompleted() - streamsAborted();
    }

    void onRequest() {
        requests.increment();
    }

    void onStreamStarted() {
        streamsStarted.increment();
    }

    void onStreamCompleted() {
        streamsCompleted.increment();
    }

    void onStreamAborted() {
        streamsAborted.increment();
    }

    @Override
    public String toString() {
        return "SimulatorStats[requests=" + requests() + ", streamsStarted=" + streamsStarted()
                + ", streamsCompleted=" + streamsCompleted() + ", streamsAborted=" + streamsAborted() + "]";
    }
}
