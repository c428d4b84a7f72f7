package dev.switchboard.bridge.realtime;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.jspecify.annotations.Nullable;

/**
 * Client events on their way to the provider: a bounded FIFO written with at most one write in flight, so an
 * event never overtakes one still being written, and events offered before the WebSocket opens wait here and go
 * out in order once it does.
 *
 * <p>Threading: {@link #offer} is any-thread and lock-free. {@link #flush()} runs a work-in-progress loop, so only
 * one thread at a time starts writes; a trigger arriving while another thread is in the loop makes it pass once
 * more. Write completions may come on Jetty threads, or synchronously inside {@code sendText}, which just makes
 * the loop pass again. The bound counts an event from {@link #offer} until its write completes.
 */
final class Outbox {
    private final Queue<String> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger frames = new AtomicInteger();
    private final AtomicLong chars = new AtomicLong();
    private final AtomicInteger wip = new AtomicInteger();
    private final int maxFrames;
    private final long maxChars;
    private final Consumer<Throwable> onWriteFailure;
    private final Callback written = Callback.from(this::onWritten, this::onWriteFailed);
    private volatile @Nullable Session session;
    private volatile boolean writing;
    private volatile int writingChars;
    private volatile boolean closed;

    /**
     * @param onWriteFailure told (once per failed write, on a Jetty thread) when the provider connection could not
     *     take an event; the outbox is closed by then
     */
    Outbox(int maxFrames, long maxChars, Consumer<Throwable> onWriteFailure) {
        this.maxFrames = maxFrames;
        this.maxChars = maxChars;
        this.onWriteFailure = onWriteFailure;
    }

    /** Queues {@code json}; false when the outbox is closed or the event would exceed the bound. Any thread. */
    boolean offer(String json) {
        if (closed) {
            return false;
        }
        if (frames.incrementAndGet() > maxFrames) {
            frames.decrementAndGet();
            return false;
        }
        if (chars.addAndGet(json.length()) > maxChars) {
            chars.addAndGet(-json.length());
            frames.decrementAndGet();
            return false;
        }
        queue.add(json);
        flush();
        return true;
    }

    /** Starts writing to {@code open}, beginning with the events queued while connecting. */
    void open(Session open) {
        session = open;
        flush();
    }

    /** Refuses further events and drops the queued ones. Idempotent; any thread. */
    void close() {
        closed = true;
        queue.clear();
    }

    /** Events offered and not yet written, the one being written included. */
    int pendingFrames() {
        return frames.get();
    }

    private void flush() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            writeNext();
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }

    private void writeNext() {
        Session open = session;
        if (open == null || writing || closed) {
            return;
        }
        String next = queue.poll();
        if (next == null) {
            return;
        }
        writingChars = next.length();
        writing = true;
        try {
            open.sendText(next, written);
        } catch (RuntimeException e) {
            onWriteFailed(e);
        }
    }

    private void onWritten() {
        frames.decrementAndGet();
        chars.addAndGet(-writingChars);
        writing = false;
        flush();
    }

    private void onWriteFailed(Throwable failure) {
        close();
        writing = false;
        onWriteFailure.accept(failure);
    }
}
