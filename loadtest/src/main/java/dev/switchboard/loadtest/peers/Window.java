package dev.switchboard.loadtest.peers;

import java.time.Duration;

/**
 * The measured window of one run on the {@link System#nanoTime()} clock: a warm-up, then {@code [startNanos,
 * endNanos)}. Requests go out until the window ends; only what happens inside it is counted. Immutable, so any
 * thread may read it.
 *
 * @param startNanos first instant that counts
 * @param endNanos first instant that no longer counts; no request is sent from then on
 */
record Window(long startNanos, long endNanos) {

    Window {
        if (endNanos <= startNanos) {
            throw new IllegalArgumentException("a window must end after it starts");
        }
    }

    /** A window that opens {@code warmup} after {@code nowNanos} and lasts {@code duration}. */
    static Window after(long nowNanos, Duration warmup, Duration duration) {
        long start = nowNanos + warmup.toNanos();
        return new Window(start, start + duration.toNanos());
    }

    /** Whether {@code nanos} falls inside the window. */
    boolean contains(long nanos) {
        return nanos >= startNanos && nanos < endNanos;
    }

    /** Whether a request may still be sent at {@code nanos}. */
    boolean open(long nanos) {
        return nanos < endNanos;
    }

    /** The window's length in seconds. */
    double seconds() {
        return (endNanos - startNanos) / 1e9;
    }
}
