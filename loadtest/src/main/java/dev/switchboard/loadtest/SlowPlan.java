package dev.switchboard.loadtest;

import java.util.concurrent.atomic.LongAdder;

/**
 * The slow-consumer scenario's run-wide part: which sessions are slow, how long they stop reading, and what the
 * run counts about them.
 *
 * <p>A slow session is bounded in count and in time: {@code round(--slow-share × --sessions)} sessions, spread
 * evenly over the session indices, each sending one request for a long, fast response
 * ({@code --slow-tokens}, {@code --slow-tokens-per-second}), then stopping reading after its first delta for
 * {@code --slow-for} or until the end of the duration, whichever comes first. Then it reads again, which drains
 * whatever the broker still sends, up to its close frame, or up to the end of the connection if the broker has cut
 * it meanwhile (it does when the close handshake does not complete within a short grace). A slow session's own
 * latencies are not recorded: {@code ttft_ms} and {@code inter_delta_ms} are the normal sessions'.
 *
 * <p>Thread-safe: immutable apart from its counters.
 */
final class SlowPlan {
    private final int sessions;
    private final int count;
    private final long slowForNanos;

    /** Slow sessions that stopped reading. */
    final LongAdder paused = new LongAdder();
    /** Slow sessions that read the broker's 4008 {@code slow_consumer} close frame. */
    final LongAdder closedSlow = new LongAdder();
    /**
     * Slow sessions whose connection was cut (1006) before they read a close frame: after sending 4008 the broker
     * waits a short grace for the close handshake, then drops a client that still does not read.
     */
    final LongAdder closedAbruptly = new LongAdder();
    /** Slow sessions closed with another code (also counted as errors). */
    final LongAdder closedOther = new LongAdder();
    /** Slow sessions still open at the end of the run. */
    final LongAdder notClosed = new LongAdder();

    SlowPlan(Settings settings) {
        this.sessions = settings.sessions();
        this.count = settings.slow().count(sessions);
        this.slowForNanos = settings.slow().slowFor().toNanos();
    }

    /** The number of slow sessions. */
    int count() {
        return count;
    }

    /** Whether session {@code index} (0-based) is slow: exactly {@link #count()} of them are, spread evenly. */
    boolean isSlow(int index) {
        return (long) (index + 1) * count / sessions > (long) index * count / sessions;
    }

    /** How long a slow session stops reading. */
    long slowForNanos() {
        return slowForNanos;
    }
}
