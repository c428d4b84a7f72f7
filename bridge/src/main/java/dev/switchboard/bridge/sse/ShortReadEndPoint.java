package dev.switchboard.bridge.sse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * The upstream HTTP client's TCP end point, sparing the read that would find nothing. Jetty reads a socket until a
 * read returns no bytes, so every provider chunk that arrives alone costs two {@code read} system calls, the second
 * one empty (2.4 reads per streamed token at 50 SSE streams, issue 12). A read that fills less than the room it was
 * given emptied the kernel's receive queue, so the fill after it is answered with 0 without a system call, and Jetty
 * asks the selector for read interest instead — what nginx does. Bytes that arrived in between are not lost: Java's
 * selector is level-triggered, so it reports the socket readable at once and the next fill reads them; the end of
 * the stream likewise.
 *
 * <p>Only the upstream SSE client uses it. On the broker's listener the same skip made WebSocket connects queue
 * under a 500-per-second ramp (connect p99 0.7 s to 6.5 s; cause not found), so it is not used there, nor on the
 * relay's provider sockets, whose connect path is alike.
 *
 * <p>Threading: Jetty never fills one end point from two threads at once and hands fills between threads through
 * its own locks; a stale flag would only cost one read or one selector round, never bytes.
 */
final class ShortReadEndPoint extends SocketChannelEndPoint {
    private final LongAdder skipped;
    /** The last read filled less than its room: the socket was empty after it. */
    private boolean drained;

    /** @param skipped counts the reads spared (shared by the transport's end points) */
    ShortReadEndPoint(SocketChannel channel, ManagedSelector selector, SelectionKey key, Scheduler scheduler,
                      LongAdder skipped) {
        super(channel, selector, key, scheduler);
        this.skipped = skipped;
    }

    @Override
    public int fill(ByteBuffer buffer) throws IOException {
        if (drained) {
            drained = false;
            skipped.increment();
            return 0;
        }
        int room = BufferUtil.space(buffer);
        int filled = super.fill(buffer);
        drained = filled > 0 && filled < room;
        return filled;
    }
}
