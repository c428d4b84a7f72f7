package dev.switchboard.broker.usage;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger's own thread ({@code switchboard-usage}): every {@code usage.flush_interval} it drops the days past the
 * retention (from memory, and their files) and, with {@code usage.dir}, rewrites the file of each day whose rows
 * changed. Its own thread rather than the broker's scheduler, so that writing a day's file never delays a ring retry
 * or a provider retry. A failed write is logged once (and its recovery once) and retried at the next interval; a
 * crash loses at most the last interval's counts.
 */
final class LedgerWriter {
    private static final Logger LOG = LoggerFactory.getLogger(LedgerWriter.class);
    private static final long CLOSE_WAIT_SECONDS = 5;

    private final UsageLedger ledger;
    private final Optional<LedgerFiles> files;
    private final Duration interval;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "switchboard-usage");
        t.setDaemon(true);
        return t;
    });
    /** Days whose last write failed (the changed marks were taken), written again next time. */
    private final Set<Integer> unwritten = new TreeSet<>();
    private int prunedBefore = Integer.MIN_VALUE;
    private @Nullable String failure;

    LedgerWriter(UsageLedger ledger, Optional<LedgerFiles> files, Duration interval) {
        this.ledger = ledger;
        this.files = files;
        this.interval = interval;
    }

    /** Runs {@code task} on this thread every interval too (after the files' flush when both are due). */
    void alsoEveryInterval(Runnable task) {
        thread.scheduleWithFixedDelay(task, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    void start() {
        thread.scheduleWithFixedDelay(this::flush, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Prunes and writes what changed; on the writer thread, or at close once it stopped. */
    synchronized void flush() {
        try {
            prune();
            if (files.isPresent()) {
                write(files.get());
            }
            if (failure != null) {
                LOG.info("the usage ledger is written again to {}", files.map(LedgerFiles::dir).orElse(null));
                failure = null;
            }
        } catch (IOException | RuntimeException e) {
            String message = e.getClass().getSimpleName() + ": " + e.getMessage();
            if (!message.equals(failure)) {
                LOG.warn("cannot write the usage ledger in {} ({}); retrying every {} ms",
                        files.map(LedgerFiles::dir).orElse(null), message, interval.toMillis());
                failure = message;
            }
        }
    }

    private void prune() throws IOException {
        int first = ledger.firstDay();
        if (first == prunedBefore) {
            return;
        }
        ledger.liveRows().keySet().removeIf(bucket -> bucket.day() < first);
        unwritten.removeIf(day -> day < first);
        if (files.isPresent()) {
            files.get().deleteBefore(first);
        }
        prunedBefore = first;
    }

    private void write(LedgerFiles to) throws IOException {
        Set<Integer> days = new TreeSet<>(unwritten);
        // Marks are taken before the counts are read (Counters): an addition read in part is written again.
        ledger.liveRows().forEach((bucket, counters) -> {
            if (counters.takeChanged()) {
                days.add(bucket.day());
            }
        });
        if (days.isEmpty()) {
            return;
        }
        unwritten.addAll(days);
        Map<Integer, Map<Bucket, Tally>> byDay = new HashMap<>();
        ledger.liveRows().forEach((bucket, counters) -> {
            if (days.contains(bucket.day())) {
                byDay.computeIfAbsent(bucket.day(), d -> new HashMap<>()).put(bucket, counters.snapshot());
            }
        });
        for (int day : days) {
            to.write(day, Objects.requireNonNullElse(byDay.get(day), Map.of()));
            unwritten.remove(day);
        }
    }

    /** Stops the thread and flushes once more (the rings have stopped: nothing is counted any more). */
    void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flush();
    }
}
