package dev.switchboard.simulator;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on whichever thread submitted a task while none was running:
 * the confinement of one Realtime connection's state without a thread of its own. Jetty threads (client frames,
 * write completions) and pacing threads (ticks) all submit here, so the state they touch is only ever touched by
 * one thread at a time, and the queue hand-off orders those accesses.
 *
 * <p>Tasks must not block. A task that throws is logged and the next one runs. Thread-safe.
 */
final class SerialExecutor implements Executor {

    private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);

    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Tasks submitted and not yet finished; the submitter that moves it from 0 runs the queue. */
    private final AtomicInteger pending = new AtomicInteger();

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        if (pending.getAndIncrement() == 0) {
            drain();
        }
    }

    private void drain() {
        do {
            // Every increment of pending follows its task's add, so a counted task is always in the queue.
            Runnable task = tasks.poll();
            try {
                if (task != null) {
                    task.run();
                }
            } catch (RuntimeException e) {
                LOG.warn("Realtime task failed", e);
            }
        } while (pending.decrementAndGet() > 0);
    }
}
