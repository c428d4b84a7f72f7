package dev.switchboard.broker.metrics;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The rate limit of one kind of log line: at most one line per interval, the rest counted so that the next line can
 * say how many were left out. Shared by the operator log ({@link OperatorLog}, one window per provider and failure
 * class) and the HTTP transport's lines about malformed or stalled requests.
 *
 * <p>Thread-safe and lock-free: a CAS on the next allowed time decides which caller writes.
 */
public final class LogWindow {
    private final long intervalNanos;
    private final LongSupplier nanoTicker;
    private final AtomicLong nextLineNanos;
    private final AtomicLong leftOut = new AtomicLong();

    /**
     * @param interval the shortest time between two lines
     * @param nanoTicker monotonic time in nanoseconds ({@code System::nanoTime}; tests pass a fake)
     */
    public LogWindow(Duration interval, LongSupplier nanoTicker) {
        this.intervalNanos = interval.toNanos();
        this.nanoTicker = nanoTicker;
        this.nextLineNanos = new AtomicLong(nanoTicker.getAsLong());
    }

    /**
     * Records one event.
     *
     * @return -1 when the event falls inside the current interval (it is counted, write nothing), else how many
     *     events were left out since the previous line (write one line now)
     */
    public long admit() {
        long now = nanoTicker.getAsLong();
        long next = nextLineNanos.get();
        if (now - next >= 0 && nextLineNanos.compareAndSet(next, now + intervalNanos)) {
            return leftOut.getAndSet(0);
        }
        leftOut.incrementAndGet();
        return -1;
    }
}
