package dev.switchboard.broker.transport.http;

import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.metrics.BrokerMetrics;
import dev.switchboard.broker.session.ClientChannel;
import dev.switchboard.broker.session.FlowControl;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.function.Consumer;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import dev.switchboard.broker.stream.BatchFlush;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;

/**
 * The outbound queue of one streamed response. Jetty allows one {@link Response#write} at a time, so text offered
 * while a write is in flight is queued and the next write sends everything queued as one buffer.
 *
 * <p>Bounds, as for a WebSocket connection ({@code outbound.*}): unsent bytes and pieces are counted from
 * {@link #offer} until Jetty's write callback. Crossing the high watermark pauses the session's upstream
 * ({@link FlowControl#onHighWatermark}); falling under the low watermark resumes it; exceeding the hard limits
 * aborts the response, as a slow consumer.
 *
 * <p>Pieces offered on the session's shard thread are written at the end of the ring batch (one write for all of
 * a batch's pieces); the last piece, and pieces from other threads, are written at once.
 *
 * <p>Thread-safe: {@link #offer} is called by the shard thread and the heartbeat, completions arrive on Jetty
 * threads. The monitor guards the queue and the counters and is never held while calling out. Sizes are counted
 * in UTF-16 chars, like {@code WsConnection}: exact for the JSON that dominates and cheap.
 */
final class SseWriter extends IteratingCallback {
    private final Response response;
    private final FlowControl flow;
    private final ClientChannel owner;
    private final BrokerConfig.Outbound bounds;
    private final BrokerMetrics metrics;
    private final Callback done;
    private final Consumer<Throwable> onFailure;
    private final ArrayDeque<String> queue = new ArrayDeque<>();
    private long unsentBytes;
    private int unsentPieces;
    private long writingBytes;
    private int writingPieces;
    private boolean aboveHigh;
    private boolean lastOffered;
    private boolean lastWriting;
    private boolean finished;
    private final ByteBufferPool pool;
    /** The pieces of the write being prepared ({@link #process} only, which Jetty never runs twice at once). */
    private final ArrayList<String> writing = new ArrayList<>();
    /** The pooled buffer of the write in flight, if it has one. */
    private RetainableByteBuffer held;
    /** Pieces offered on the shard thread wait for the end of the ring batch (shard thread only). */
    private final BatchFlush batch;
    private boolean deferred;

    /**
     * @param done completed when the last piece is written, or failed with the write failure
     * @param onFailure told of a failed write or an abort, after {@code done} was failed
     */
    SseWriter(Response response, FlowControl flow, ClientChannel owner, BrokerConfig.Outbound bounds, BrokerMetrics metrics,
              Callback done, Consumer<Throwable> onFailure, BatchFlush batch) {
        this.batch = batch;
        this.response = response;
        this.pool = response.getRequest().getComponents().getByteBufferPool();
        this.flow = flow;
        this.owner = owner;
        this.bounds = bounds;
        this.metrics = metrics;
        this.done = done;
        this.onFailure = onFailure;
    }

    /**
     * Queues {@code text} (an empty string commits the response headers). Never blocks.
     *
     * @param last whether this ends the response body
     * @return false when nothing more may be written (the last piece was offered, or the writer failed), or the
     *     bounds were exceeded, in which case the response is aborted
     */
    boolean offer(String text, boolean last) {
        if (deferred && wouldOverflow(text.length())) {
            // Pieces held for the end of the ring batch count as unsent: write them now and look again, so
            // batching never makes a client that reads look slow.
            flushBatch();
        }
        boolean pause = false;
        boolean overflow = false;
        synchronized (this) {
            if (lastOffered || finished) {
                return false;
            }
            unsentBytes += text.length();
            unsentPieces++;
            // A single piece always passes, however large: the bound is on what queues up, not on one event.
            if ((unsentBytes > bounds.maxBytes() && unsentPieces > 1) || unsentPieces > bounds.maxFrames()) {
                overflow = true;
            } else {
                queue.add(text);
                lastOffered = last;
                if (unsentBytes > bounds.highWatermarkBytes() && !aboveHigh) {
                    aboveHigh = true;
                    pause = true;
                }
            }
        }
        if (overflow) {
            metrics.slowConsumerClosed();
            abort(new IOException("slow consumer: the client read the event stream too slowly"));
            return false;
        }
        if (pause) {
            flow.onHighWatermark(owner);
        }
        if (!last && batch.isConsumerThread()) {
            // Issue 12: the pieces of one ring batch leave in one write, at the batch's end.
            if (!deferred) {
                deferred = true;
                batch.defer(this::flushBatch);
            }
            return true;
        }
        iterate();
        return true;
    }

    private synchronized boolean wouldOverflow(long size) {
        return (unsentBytes + size > bounds.maxBytes() && unsentPieces >= 1) || unsentPieces + 1 > bounds.maxFrames();
    }

    /** End of a ring batch: writes what {@link #offer} held back. Shard thread. */
    private void flushBatch() {
        deferred = false;
        iterate();
    }

    @Override
    protected Action process() {
        boolean last;
        synchronized (this) {
            if (queue.isEmpty()) {
                return lastWriting ? Action.SUCCEEDED : Action.IDLE;
            }
            writingBytes = 0;
            writingPieces = 0;
            while (!queue.isEmpty()) {
                String piece = queue.poll();
                writing.add(piece);
                writingBytes += piece.length();
                writingPieces++;
            }
            last = lastOffered;
            lastWriting = last;
        }
        // Encoded outside the monitor, which the shard thread takes for every piece it offers.
        response.write(last, gather(), this);
        return Action.SCHEDULED;
    }

    /**
     * The pieces being written as one buffer. Several go into a pooled direct buffer, held until the write
     * completes: one copy, where a builder, its string and the socket's own copy into a direct buffer were four
     * (issue 12: a quarter of the bytes the broker allocated at the streaming peak).
     */
    private ByteBuffer gather() {
        if (writing.size() == 1) {
            ByteBuffer single = ByteBuffer.wrap(writing.get(0).getBytes(StandardCharsets.UTF_8));
            writing.clear();
            return single;
        }
        byte[][] encoded = new byte[writing.size()][];
        int size = 0;
        for (int i = 0; i < encoded.length; i++) {
            encoded[i] = writing.get(i).getBytes(StandardCharsets.UTF_8);
            size += encoded[i].length;
        }
        writing.clear();
        held = pool.acquire(size, true);
        ByteBuffer out = held.getByteBuffer();
        BufferUtil.clearToFill(out);
        for (byte[] piece : encoded) {
            out.put(piece);
        }
        BufferUtil.flipToFlush(out, 0);
        return out;
    }

    /** The write completed: its pooled buffer goes back. Only then, as Jetty may read it until it completes. */
    private void releaseHeld() {
        RetainableByteBuffer buffer = held;
        if (buffer != null) {
            held = null;
            buffer.release();
        }
    }

    @Override
    protected void onSuccess() {
        releaseHeld();
        boolean resume = false;
        synchronized (this) {
            unsentBytes -= writingBytes;
            unsentPieces -= writingPieces;
            if (unsentBytes < bounds.lowWatermarkBytes() && aboveHigh) {
                aboveHigh = false;
                resume = true;
            }
        }
        if (resume) {
            flow.onLowWatermark(owner);
        }
    }

    @Override
    protected void onCompleteSuccess() {
        synchronized (this) {
            finished = true;
        }
        done.succeeded();
    }

    @Override
    protected void onCompleteFailure(Throwable cause) {
        // An abort can come while the write still reads the held buffer: it is left to the collector, not the pool.
        held = null;
        synchronized (this) {
            finished = true;
            queue.clear();
        }
        done.failed(cause);
        onFailure.accept(cause);
    }
}
