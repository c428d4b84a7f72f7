package dev.switchboard.broker.transport.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Reads a request body without blocking: {@code read()} until it returns {@code null}, then {@code demand()} to
 * be called back on a Jetty thread when more arrives. Exactly one of the four outcomes is reported, once.
 *
 * <p>The whole body must arrive within a deadline, run on the request's Jetty scheduler: Jetty's idle timeout
 * restarts at every byte, so without it a client trickling a byte every few seconds would hold the request
 * forever. At the deadline the reader stops and reports a timeout; the caller answers 408 and closes the
 * connection (the rest of the body is never read).
 *
 * <p>A body over {@code limit} bytes is not kept, but it is still read and discarded up to {@code 4 × limit}
 * (and within the deadline) before the caller answers 413: a server that answers and closes while the client is
 * still sending makes many clients see a connection reset instead of the 413.
 *
 * <p>Threading: reads happen on the calling thread and then on Jetty's demand callbacks, never two at once; the
 * deadline fires on the scheduler thread. A small state machine decides which of them reports: the deadline
 * never reports while a read is in progress (it leaves that to the reader), so the caller's answer is never
 * written while this reader still reads the request.
 */
final class BodyReader implements Runnable {
    /** Waiting for Jetty to call back with more content (or not started). */
    private static final int WAITING = 0;
    /** A thread is reading. */
    private static final int READING = 1;
    /** The deadline passed while a thread was reading: that thread reports the timeout. */
    private static final int EXPIRED = 2;
    /** An outcome was reported. */
    private static final int DONE = 3;

    private final Request request;
    private final int limit;
    private final int keep;
    private final Consumer<byte[]> onBody;
    private final Runnable onTooLarge;
    private final Runnable onTimeout;
    private final Consumer<Throwable> onFailure;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final AtomicInteger state = new AtomicInteger(WAITING);
    private volatile Scheduler.Task deadline;
    private long total;

    private BodyReader(Request request, int limit, int keep, Consumer<byte[]> onBody, Runnable onTooLarge,
                       Runnable onTimeout, Consumer<Throwable> onFailure) {
        this.request = request;
        this.limit = limit;
        this.keep = keep;
        this.onBody = onBody;
        this.onTooLarge = onTooLarge;
        this.onTimeout = onTimeout;
        this.onFailure = onFailure;
    }

    /**
     * Starts reading on the calling thread.
     *
     * @param timeout how long the whole body may take, from now
     * @param onBody the whole body, at most {@code limit} bytes
     * @param onTooLarge the body exceeded {@code limit} bytes
     * @param onTimeout the body did not arrive within {@code timeout} (on the scheduler or a Jetty thread)
     * @param onFailure reading failed (the client went away, an idle timeout)
     */
    static void read(Request request, int limit, Duration timeout, Consumer<byte[]> onBody, Runnable onTooLarge,
                     Runnable onTimeout, Consumer<Throwable> onFailure) {
        long declared = request.getLength();
        if (declared > 4L * limit) {
            onTooLarge.run();
            return;
        }
        new BodyReader(request, limit, limit, onBody, onTooLarge, onTimeout, onFailure).start(timeout);
    }

    /**
     * Reads and drops the body (at most {@code 4 × limit} bytes, for at most {@code timeout}), then runs
     * {@code then}, whatever happened: after an answer sent without reading the body, so that the connection
     * closes with nothing unread (see {@link HttpErrors#refuseUnread}).
     */
    static void discard(Request request, int limit, Duration timeout, Runnable then) {
        if (request.getLength() > 4L * limit) {
            then.run();
            return;
        }
        new BodyReader(request, limit, 0, body -> then.run(), then, then, failure -> then.run()).start(timeout);
    }

    private void start(Duration timeout) {
        deadline = request.getComponents().getScheduler().schedule(this::expire, timeout.toMillis(),
                TimeUnit.MILLISECONDS);
        run();
    }

    /** The deadline: reports the timeout itself if no read is in progress, else leaves it to the reader. */
    private void expire() {
        while (true) {
            int current = state.get();
            if (current == WAITING && state.compareAndSet(WAITING, DONE)) {
                onTimeout.run();
                return;
            }
            if (current == READING && state.compareAndSet(READING, EXPIRED)) {
                return;
            }
            if (current == DONE || current == EXPIRED) {
                return;
            }
        }
    }

    @Override
    public void run() {
        if (!state.compareAndSet(WAITING, READING)) {
            return; // the deadline already reported
        }
        while (true) {
            if (state.get() == EXPIRED) {
                finish(onTimeout);
                return;
            }
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                if (state.compareAndSet(READING, WAITING)) {
                    request.demand(this);
                } else {
                    finish(onTimeout); // expired while reading
                }
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                finish(() -> onFailure.accept(chunk.getFailure()));
                return;
            }
            ByteBuffer buffer = chunk.getByteBuffer();
            int size = buffer.remaining();
            total += size;
            if (total <= keep) {
                byte[] bytes = new byte[size];
                buffer.get(bytes);
                kept.write(bytes, 0, size);
            }
            boolean last = chunk.isLast();
            chunk.release();
            if (last) {
                finish(total > limit ? onTooLarge : () -> onBody.accept(kept.toByteArray()));
                return;
            }
            if (total > 4L * limit) {
                finish(onTooLarge);
                return;
            }
        }
    }

    /** Reports {@code outcome}: only the reading thread calls this, and only once. */
    private void finish(Runnable outcome) {
        state.set(DONE);
        Scheduler.Task task = deadline;
        if (task != null) {
            task.cancel();
        }
        outcome.run();
    }
}
