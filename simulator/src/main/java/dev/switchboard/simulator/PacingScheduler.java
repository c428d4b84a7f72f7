package dev.switchboard.simulator;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one timer every simulated stream shares: a small pool (at most two daemon threads) that runs pacing ticks.
 * Streams never own a thread; a tick does a bounded amount of work (encode the due tokens, start one
 * non-blocking write) and returns.
 *
 * <p>Thread-safe. After {@link #close()} every {@code trySchedule} returns {@code false}.
 */
final class PacingScheduler implements AutoCloseable {

    private final ScheduledThreadPoolExecutor executor;

    PacingScheduler(int threads) {
        if (threads < 1 || threads > 2) {
            throw new IllegalArgumentException("pacing threads must be 1 or 2, got " + threads);
        }
        this.executor = new ScheduledThreadPoolExecutor(threads, daemonThreads());
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** One thread per core, at most two. */
    static PacingScheduler forThisMachine() {
        return new PacingScheduler(Math.min(2, Math.max(1, Runtime.getRuntime().availableProcessors())));
    }

    /**
     * Runs {@code task} after {@code delayNanos} (at once if not positive). Returns {@code false}, without
     * running it, if the scheduler is closed.
     */
    boolean trySchedule(Runnable task, long delayNanos) {
        try {
            if (delayNanos <= 0) {
                executor.execute(task);
            } else {
                executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
            }
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** Drops pending ticks and stops the threads; does not wait for a running tick. Idempotent. */
    @Override
    public void close() {
        executor.shutdownNow();
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger counter = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "sim-pacer-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
