package dev.switchboard.bridge.sse;

import dev.switchboard.bridge.net.ShortReads;
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
 * The upstream HTTP client's TCP end point: spares the empty read after a read that emptied the socket
 * ({@link ShortReads}).
 */
final class ShortReadEndPoint extends SocketChannelEndPoint {
    private final ShortReads reads;

    ShortReadEndPoint(SocketChannel channel, ManagedSelector selector, SelectionKey key, Scheduler scheduler,
                      LongAdder skipped) {
        super(channel, selector, key, scheduler);
        this.reads = new ShortReads(skipped);
    }

    @Override
    public int fill(ByteBuffer buffer) throws IOException {
        if (reads.skip()) {
            return 0;
        }
        int room = BufferUtil.space(buffer);
        return reads.filled(room, super.fill(buffer));
    }
}
