package dev.switchboard.broker.guardrail;

import dev.switchboard.broker.metrics.OperatorLog;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Keeps a {@link LocalUsageStore} in a file across restarts: written every {@code usage.flush_interval} and at
 * shutdown, on the broker's scheduler thread (never a shard or Jetty thread). A crash loses at most the usage of
 * the last interval. A failed write is logged (rate-limited) and retried at the next interval.
 */
public final class UsageFile implements AutoCloseable {
    /** The file's name inside {@code usage.dir}. */
    public static final String NAME = "usage.json";

    private final LocalUsageStore store;
    private final Path file;
    private final Predicate<String> keep;
    private final OperatorLog log;
    private final ScheduledFuture<?> flushing;

    private UsageFile(LocalUsageStore store, Path file, Predicate<String> keep, OperatorLog log,
                      ScheduledExecutorService scheduler, Duration interval) {
        this.store = store;
        this.file = file;
        this.keep = keep;
        this.log = log;
        this.flushing = scheduler.scheduleWithFixedDelay(this::flush, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /**
     * Loads {@code dir}'s usage file into {@code store} (a missing file is no usage yet) and starts writing it
     * back every {@code interval}; {@code keep} says which spend counters are still current.
     */
    public static UsageFile open(LocalUsageStore store, Path dir, Predicate<String> keep, OperatorLog log,
                                 ScheduledExecutorService scheduler, Duration interval) throws IOException {
        Path file = dir.resolve(NAME);
        store.load(file);
        return new UsageFile(store, file, keep, log, scheduler, interval);
    }

    private synchronized void flush() {
        try {
            store.save(file, keep);
        } catch (IOException | RuntimeException e) {
            log.warn("usage-file", "cannot write the usage file {}: {}; retrying at the next interval", file,
                    String.valueOf(e.getMessage()));
        }
    }

    /** Stops the periodic writes and writes once more (at shutdown). */
    @Override
    public void close() {
        flushing.cancel(false);
        flush();
    }
}
