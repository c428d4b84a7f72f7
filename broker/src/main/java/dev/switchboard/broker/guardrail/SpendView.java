package dev.switchboard.broker.guardrail;

import java.util.concurrent.atomic.AtomicLong;

/**
 * This node's view of one spend counter on a remote store: the last total the store reported, plus what this node
 * added since (sent or not yet sent). Per output delta the guardrails read it instead of waiting for the store.
 * Thread-safe: atomics only; a reader between a reply's two updates may see the reply's amount counted twice for
 * an instant, which can only stop a response one delta early, never late.
 */
final class SpendView {
    private final AtomicLong reported = new AtomicLong();
    /** Added by this node and not yet acknowledged by the store. */
    private final AtomicLong inFlight = new AtomicLong();
    /** Part of {@link #inFlight} whose sending failed, to be sent again. */
    private final AtomicLong unsent = new AtomicLong();
    private volatile long touchedNanos = System.nanoTime();

    /** Adds {@code amount} on this node; the new total as this node knows it. */
    long add(long amount) {
        touchedNanos = System.nanoTime();
        return reported.get() + inFlight.addAndGet(amount);
    }

    /** The store acknowledged {@code amount}; its counter now holds {@code total}. */
    void reported(long amount, long total) {
        reported.set(total);
        inFlight.addAndGet(-amount);
    }

    /** Sending {@code amount} failed; it stays in flight until sent again. */
    void unsent(long amount) {
        unsent.addAndGet(amount);
    }

    /** What must be sent again (now taken: the caller sends it). */
    long takeUnsent() {
        return unsent.getAndSet(0);
    }

    /** The store's counter read directly holds {@code value}; the total with this node's unacknowledged part. */
    long fetched(long value) {
        touchedNanos = System.nanoTime();
        reported.set(value);
        return value + inFlight.get();
    }

    long total() {
        return reported.get() + inFlight.get();
    }

    boolean idleSince(long nanos) {
        return touchedNanos - nanos < 0 && inFlight.get() == 0;
    }
}
