package dev.switchboard.bridge.sse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.channels.SelectionKey;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * A TCP end point that skips the read that would find nothing. Jetty's HTTP client reads a socket until a read
 * returns no bytes, so every provider chunk cost two {@code read} system calls, the second one empty (2.4 reads
 * per streamed token at 50 streams, issue 12). A read that fills less than the room it was given emptied the
 * kernel's receive queue, so the next fill after it reports 0 without a system call, and the caller asks the
 * selector for read interest instead — what nginx does. Bytes that arrived in between are not lost: the selector
 * is level-triggered, so it reports the socket readable at once and the next fill reads them.
 *
 * <p>Threading: Jetty never fills one end point from two threads at once, and hands fills over between threads
 * through its own locks; a stale flag would only cost one read or one selector round, never bytes.
 */
final class ShortReadEndPoint extends SocketChannelEndPoint {
    private final LongAdder skipped;
    private boolean drained;

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
