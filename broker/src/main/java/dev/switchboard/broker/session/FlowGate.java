package dev.switchboard.broker.session;

import dev.switchboard.bridge.upstream.Upstream;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one place that decides whether a session's upstream reads: it runs exactly when no {@link Reason} holds it.
 * Each reason is set and cleared by whoever owns it, from whatever thread that is (see {@link Reason}); the set
 * changes atomically, and the upstream is then told the outcome.
 *
 * <p>Concurrency: the reason set is one atomic bit field plus a change counter. Telling the upstream cannot be
 * part of the atomic change, so two threads could tell it in the wrong order (a stale {@code pause()} after the
 * last reason was cleared). {@link #apply()} therefore re-reads the counter after telling the upstream and tells
 * it again if anything changed meanwhile: whichever thread changes the set last also leaves the upstream in the
 * state that set implies. {@link Upstream#pause()} and {@link Upstream#resume()} are idempotent and thread-safe,
 * so a repeated call costs nothing.
 */
final class FlowGate {

    /** Why the upstream is held. */
    enum Reason {
        /**
         * The attached connection's unsent bytes are above its high watermark. Set from the thread that sends
         * (the shard), cleared from the thread that completes a write (a Jetty thread).
         */
        WATERMARK,
        /** No connection is attached and the replay log is nearly full. Shard thread. */
        REPLAY_LOG,
        /**
         * Events wait for the connection (a resumed connection catching up from the log); live events must not
         * overtake them. Shard thread.
         */
        CATCHING_UP;

        private int bit() {
            return 1 << ordinal();
        }
    }

    private final AtomicInteger reasons = new AtomicInteger();
    private final AtomicInteger changes = new AtomicInteger();
    private volatile Upstream upstream;

    /** Holds the upstream for {@code reason}; returns whether that reason was newly set. Any thread. */
    boolean hold(Reason reason) {
        int bit = reason.bit();
        int before = reasons.getAndUpdate(set -> set | bit);
        if ((before & bit) != 0) {
            return false;
        }
        changes.incrementAndGet();
        apply();
        return true;
    }

    /** Releases {@code reason}; the upstream runs if no other reason holds it. Any thread. */
    void release(Reason reason) {
        int bit = reason.bit();
        int before = reasons.getAndUpdate(set -> set & ~bit);
        if ((before & bit) != 0) {
            changes.incrementAndGet();
            apply();
        }
    }

    /** Whether {@code reason} currently holds the upstream. */
    boolean holds(Reason reason) {
        return (reasons.get() & reason.bit()) != 0;
    }

    /** The upstream the gate acts on, or null when none streams; it is paused at once if a reason holds. */
    void upstream(Upstream next) {
        upstream = next;
        changes.incrementAndGet();
        apply();
    }

    /** The upstream the gate acts on, or null. */
    Upstream upstream() {
        return upstream;
    }

    private void apply() {
        int seen;
        do {
            seen = changes.get();
            Upstream current = upstream;
            if (current == null) {
                return;
            }
            if (reasons.get() == 0) {
                current.resume();
            } else {
                current.pause();
            }
        } while (changes.get() != seen);
    }
}
