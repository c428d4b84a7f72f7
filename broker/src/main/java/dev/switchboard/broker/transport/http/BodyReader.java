package dev.switchboard.broker.transport.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * Reads a request body without blocking: {@code read()} until it returns {@code null}, then {@code demand()} to
 * be called back on a Jetty thread when more arrives. Exactly one of the three outcomes is reported, once.
 *
 * <p>A body over {@code limit} bytes is not kept, but it is still read and discarded up to {@code 4 × limit}
 * before the caller answers 413: a server that answers and closes while the client is still sending makes many
 * clients see a connection reset instead of the 413.
 */
final class BodyReader implements Runnable {
    private final Request request;
    private final int limit;
    private final int keep;
    private final Consumer<byte[]> onBody;
    private final Runnable onTooLarge;
    private final Consumer<Throwable> onFailure;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private long total;

    private BodyReader(Request request, int limit, int keep, Consumer<byte[]> onBody, Runnable onTooLarge,
                       Consumer<Throwable> onFailure) {
        this.request = request;
        this.limit = limit;
        this.keep = keep;
        this.onBody = onBody;
        this.onTooLarge = onTooLarge;
        this.onFailure = onFailure;
    }

    /**
     * Starts reading on the calling thread.
     *
     * @param onBody the whole body, at most {@code limit} bytes
     * @param onTooLarge the body exceeded {@code limit} bytes
     * @param onFailure reading failed (the client went away, an idle timeout)
     */
    static void read(Request request, int limit, Consumer<byte[]> onBody, Runnable onTooLarge,
                     Consumer<Throwable> onFailure) {
        long declared = request.getLength();
        if (declared > 4L * limit) {
            onTooLarge.run();
            return;
        }
        new BodyReader(request, limit, limit, onBody, onTooLarge, onFailure).run();
    }

    /**
     * Reads and drops the body (at most {@code 4 × limit} bytes), then runs {@code then}, whatever happened. Used
     * before refusing a request without reading it: answering while the client is still sending its body makes
     * Jetty close the connection under it, and many clients then report a broken pipe instead of the answer.
     */
    static void discard(Request request, int limit, Runnable then) {
        if (request.getLength() > 4L * limit) {
            then.run();
            return;
        }
        new BodyReader(request, limit, 0, body -> then.run(), then, failure -> then.run()).run();
    }

    @Override
    public void run() {
        while (true) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                request.demand(this);
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                onFailure.accept(chunk.getFailure());
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
                if (total > limit) {
                    onTooLarge.run();
                } else {
                    onBody.accept(kept.toByteArray());
                }
                return;
            }
            if (total > 4L * limit) {
                onTooLarge.run();
                return;
            }
        }
    }
}
