package dev.switchboard.broker.route;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A per-provider circuit breaker. {@code CLOSED}: requests flow and consecutive failures are counted; at the
 * threshold it opens. {@code OPEN}: requests are refused (the route serves from its next target) until
 * its open time has passed. {@code HALF_OPEN}: exactly one probe request is let through; its success closes
 * the breaker, its failure opens it again. The open time starts at {@code probeAfter} and doubles with every
 * failed probe up to {@code openFor}, so a provider that recovers quickly is used again within seconds, while one
 * that stays down is probed ever more rarely (issue 11); closing resets it.
 *
 * <p>Thread-safe: shared by every session routed to the provider. State changes are rare, so a monitor is
 * simpler and cheaper than lock-free code here. Time comes from the injected nano ticker. A transition is decided
 * under the monitor and reported to the {@link Transitions} listener after it is released, on the thread that
 * caused it (a shard thread): the listener must not block.
 */
public final class CircuitBreaker {
    /** Breaker states; the ordinal is exported as the {@code bridge.circuit.state} gauge (0, 1, 2). */
    public enum State { CLOSED, OPEN, HALF_OPEN }

    /** Told of every state change, outside the breaker's lock; must be fast and must not block. */
    @FunctionalInterface
    public interface Transitions {
        /**
         * @param cause the failure that caused an opening (broker words, no provider text), or empty
         */
        void onTransition(State from, State to, String cause);
    }

    private final int failureThreshold;
    private final long maxOpenNanos;
    private final long firstOpenNanos;
    private long openForNanos;
    private final LongSupplier nanoTicker;
    private State state = State.CLOSED;
    private int consecutiveFailures;
    private long openedAtNanos;
    private boolean probeInFlight;
    private final Transitions transitions;

    /**
     * @param failureThreshold consecutive failures that open the breaker, at least 1
     * @param openFor how long it stays open before a probe
     * @param nanoTicker e.g. {@code System::nanoTime}
     */
    public CircuitBreaker(int failureThreshold, Duration openFor, LongSupplier nanoTicker) {
        this(failureThreshold, openFor, openFor, nanoTicker, (from, to, cause) -> { });
    }

    /**
     * As above, with backoff between probes, reporting every state change to {@code transitions}.
     *
     * @param probeAfter how long the breaker stays open before its first probe, at most {@code openFor}
     * @param openFor the longest time between probes
     */
    public CircuitBreaker(int failureThreshold, Duration probeAfter, Duration openFor, LongSupplier nanoTicker,
                          Transitions transitions) {
        if (failureThreshold < 1) {
            throw new IllegalArgumentException("failureThreshold must be >= 1");
        }
        if (probeAfter.compareTo(openFor) > 0 || probeAfter.isNegative()) {
            throw new IllegalArgumentException("probeAfter must be between 0 and openFor");
        }
        this.failureThreshold = failureThreshold;
        this.firstOpenNanos = probeAfter.toNanos();
        this.maxOpenNanos = openFor.toNanos();
        this.openForNanos = firstOpenNanos;
        this.nanoTicker = nanoTicker;
        this.transitions = transitions;
    }

    /** Whether a request may be sent now; in {@code HALF_OPEN} this admits the single probe. */
    public boolean tryAcquire() {
        boolean admitted;
        boolean probing;
        synchronized (this) {
            State before = state;
            admitted = acquire();
            probing = before == State.OPEN && state == State.HALF_OPEN;
        }
        if (probing) {
            transitions.onTransition(State.OPEN, State.HALF_OPEN, "");
        }
        return admitted;
    }

    private boolean acquire() {
        switch (state) {
            case CLOSED -> {
                return true;
            }
            case OPEN -> {
                if (nanoTicker.getAsLong() - openedAtNanos < openForNanos) {
                    return false;
                }
                state = State.HALF_OPEN;
                probeInFlight = true;
                return true;
            }
            default -> {
                if (probeInFlight) {
                    return false;
                }
                probeInFlight = true;
                return true;
            }
        }
    }

    /** Whether {@link #tryAcquire()} would admit a request now, without admitting one. */
    public synchronized boolean allowsRequest() {
        return switch (state) {
            case CLOSED -> true;
            case OPEN -> nanoTicker.getAsLong() - openedAtNanos >= openForNanos;
            default -> !probeInFlight;
        };
    }

    /** A request admitted by {@link #tryAcquire()} succeeded. */
    public void onSuccess() {
        State before;
        synchronized (this) {
            before = state;
            state = State.CLOSED;
            consecutiveFailures = 0;
            probeInFlight = false;
            openForNanos = firstOpenNanos;
        }
        if (before != State.CLOSED) {
            transitions.onTransition(before, State.CLOSED, "");
        }
    }

    /** A request admitted by {@link #tryAcquire()} failed in a way that counts against the provider. */
    public void onFailure() {
        onFailure("");
    }

    /**
     * As {@link #onFailure()}, naming the failure for the transition report.
     *
     * @param cause the failure class and the broker's description, never provider text
     */
    public void onFailure(String cause) {
        State before;
        State after;
        synchronized (this) {
            before = state;
            probeInFlight = false;
            if (state == State.HALF_OPEN) {
                // The probe failed: wait twice as long before the next one, up to openFor.
                openForNanos = Math.min(maxOpenNanos, Math.max(1, openForNanos) * 2);
                open();
            } else {
                consecutiveFailures++;
                if (state == State.CLOSED && consecutiveFailures >= failureThreshold) {
                    open();
                }
            }
            after = state;
        }
        if (before != after) {
            transitions.onTransition(before, after, cause);
        }
    }

    /** A request admitted by {@link #tryAcquire()} ended without telling anything about the provider. */
    public synchronized void onNeutral() {
        probeInFlight = false;
    }

    private void open() {
        state = State.OPEN;
        openedAtNanos = nanoTicker.getAsLong();
        consecutiveFailures = 0;
    }

    /** How long the breaker stays (or would stay) open before its next probe. */
    public synchronized Duration openTime() {
        return Duration.ofNanos(openForNanos);
    }

    /** The current state (an {@code OPEN} breaker whose time is up still reports {@code OPEN} until probed). */
    public synchronized State state() {
        return state;
    }
}
