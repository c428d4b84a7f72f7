package dev.switchboard.broker.stream;

import java.util.ArrayList;
import java.util.List;

/**
 * Writes held back until the end of a ring batch (issue 12): a connection that sends several frames while its
 * shard works through one batch of ring events (a response's first delta brings its item and part events; its end
 * brings four or five) hands them to its transport marked "more follows" and registers here once; at the batch's
 * end the shard flushes every registered connection, so those frames leave in one write instead of one each.
 *
 * <p>Confined to the shard's consumer thread: {@link #isConsumerThread()} is how a writer knows it may defer;
 * any other thread writes at once. Not thread-safe otherwise.
 */
public final class BatchFlush {
    /** Flushes a connection's held-back frames; called on the shard's consumer thread. */
    @FunctionalInterface
    public interface Flushable {
        void flushBatch();
    }

    private final List<Flushable> pending = new ArrayList<>();
    private volatile Thread consumer;

    /** Whether the calling thread is this shard's consumer, which alone may defer a write to the batch's end. */
    public boolean isConsumerThread() {
        return Thread.currentThread() == consumer;
    }

    /** Registers {@code writer} to be flushed at the end of the current batch. Consumer thread only. */
    public void defer(Flushable writer) {
        pending.add(writer);
    }

    void bind(Thread thread) {
        consumer = thread;
    }

    /** Flushes every registered writer, in registration order. Consumer thread, at the end of a batch. */
    void flushAll() {
        RuntimeException first = null;
        for (int i = 0; i < pending.size(); i++) {
            try {
                pending.get(i).flushBatch();
            } catch (RuntimeException e) {
                // A writer that throws is a bug (the shard logs it); every other writer is still flushed, or its
                // frames would wait for good (it registers only once per batch).
                if (first == null) {
                    first = e;
                }
            }
        }
        pending.clear();
        if (first != null) {
            throw first;
        }
    }
}
