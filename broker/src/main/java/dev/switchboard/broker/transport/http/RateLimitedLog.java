package dev.switchboard.broker.transport.http;

import dev.switchboard.broker.metrics.LogWindow;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * At most one line per interval for a kind of event that clients can cause at will (malformed requests, stalled
 * connections), with how many were left out since the previous line, so that 200 bad requests cost one line, not
 * 200. Callers pass a fixed description: a line never carries request data (headers, URIs, bodies).
 *
 * <p>Thread-safe and lock-free; the sink is called on the caller's thread, at most once per interval.
 */
final class RateLimitedLog {
    /** The interval the broker uses: 10 s. */
    static final Duration INTERVAL = Duration.ofSeconds(10);

    private final Consumer<String> sink;
    private final LogWindow window;

    /**
     * @param sink writes one line (for example a logger's {@code warn})
     * @param interval the shortest time between two lines
     * @param nanoTicker monotonic time in nanoseconds ({@code System::nanoTime}; tests pass a fake)
     */
    RateLimitedLog(Consumer<String> sink, Duration interval, LongSupplier nanoTicker) {
        this.sink = sink;
        this.window = new LogWindow(interval, nanoTicker);
    }

    /** Records one event; writes {@code what} (and the count left out before it) if the interval has passed. */
    void log(String what) {
        long skipped = window.admit();
        if (skipped >= 0) {
            sink.accept(skipped == 0 ? what : what + " (and " + skipped + " more since the previous such line)");
        }
    }
}
