package dev.switchboard.broker.route;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A per-provider circuit breaker. {@code CLOSED}: requests flow and consecutive failures are counted; at the
 * threshold it opens. {@code OPEN}: requests are refused (the route serves from its next target) until
 * {@code openFor} has passed. {@code HALF_OPEN}: exactly one probe request is let through; its success closes
 * the breaker, its failure opens it again for another {@code openFor}.
 *
 * <p>Thread-safe: shared by every session routed to the provider. State changes are rare, so a monitor is
 * simpler and cheaper than lock-free code here. Time comes from the injected nano ticker.
 */
public final class CircuitBreaker {
    /** Breaker states; the ordinal is exported as the {@code bridge.circuit.state} gauge (0, 1, 2). */
    public enum State { CLOSED, OPEN, HALF_OPEN }

    private final int failureThreshold;
    private final long openForNanos;
    private final LongSupplier nanoTicker;
    private State state = State.CLOSED;
    private int consecutiveFailures;
    private long openedAtNanos;
    private boolean probeInFlight;

    /**
     * @param failureThreshold consecutive failures that open the breaker, at least 1
     * @param openFor how long it stays open before a probe
     * @param nanoTicker e.g. {@code System::nanoTime}
     */
    public CircuitBreaker(int failureThreshold, Duration openFor, LongSupplier nanoTicker) {
        if (failureThreshold < 1) {
            throw new IllegalArgumentException("failureThreshold must be >= 1");
        }
        this.failureThreshold = failureThreshold;
        this.openForNanos = openFor.toNanos();
        this.nanoTicker = nanoTicker;
    }

    /** Whether a request may be sent now; in {@code HALF_OPEN} this admits the single probe. */
    public synchronized boolean tryAcquire() {
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
    public synchronized void onSuccess() {
        state = State.CLOSED;
        consecutiveFailures = 0;
        probeInFlight = false;
    }

    /** A request admitted by {@link #tryAcquire()} failed in a way that counts against the provider. */
    public synchronized void onFailure() {
        probeInFlight = false;
        if (state == State.HALF_OPEN) {
            open();
            return;
        }
        consecutiveFailures++;
        if (state == State.CLOSED && consecutiveFailures >= failureThreshold) {
            open();
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

    /** The current state (an {@code OPEN} breaker whose time is up still reports {@code OPEN} until probed). */
    public synchronized State state() {
        return state;
    }
}
