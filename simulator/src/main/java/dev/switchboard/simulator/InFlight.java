package dev.switchboard.simulator;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The responses still owed by a simulator, so that {@link ProviderSimulator#close()} can complete each one's
 * Jetty callback instead of leaving it dangling when the pacing scheduler stops.
 *
 * <p>Thread-safe. {@link #tryAdd} and {@link #abortAll} race safely: a piece of work either is seen by
 * {@code abortAll} or is refused by {@code tryAdd}.
 */
final class InFlight {

    /** A response in progress that can be ended early. */
    interface Work {
        /** Ends the work with {@code cause}; a no-op if it already ended. Any thread; must not block. */
        void abort(Throwable cause);
    }

    private final Set<Work> active = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** Registers {@code work}; returns {@code false} if the simulator is closing, and the caller must abort. */
    boolean tryAdd(Work work) {
        active.add(work);
        if (closed) {
            active.remove(work);
            return false;
        }
        return true;
    }

    void remove(Work work) {
        active.remove(work);
    }

    /** Refuses new work and aborts everything registered. */
    void abortAll(Throwable cause) {
        closed = true;
        for (Work work : active) {
            work.abort(cause);
        }
    }
}
