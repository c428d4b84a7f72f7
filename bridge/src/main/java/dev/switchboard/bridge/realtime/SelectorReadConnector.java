package dev.switchboard.bridge.realtime;

import dev.switchboard.bridge.net.ShortReads;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * The relay client's connector: its TCP end points read WebSocket connections on the selector thread (see
 * {@link WebSocketSelectorReads}); the HTTP upgrade exchange before it keeps Jetty's default. Every relay's frame
 * callback qualifies: {@link RealtimeRelay} reads the event's type, offers it with a non-blocking
 * {@code tryDeliver} and demands the next message only when it was taken.
 */
final class SelectorReadConnector extends ClientConnector {
    private final LongAdder skipped = new LongAdder();

    /** Reads spared by {@link ShortReads} on this connector's end points. */
    long skippedReads() {
        return skipped.sum();
    }

    @Override
    protected EndPoint newEndPoint(SelectableChannel selectable, ManagedSelector selector, SelectionKey key) {
        if (selectable instanceof SocketChannel channel) {
            return new ReadOnSelector(channel, selector, key, this);
        }
        return super.newEndPoint(selectable, selector, key);
    }

    /** A TCP end point whose WebSocket reads are declared non-blocking. */
    private static final class ReadOnSelector extends SocketChannelEndPoint {
        private final WebSocketSelectorReads reads = new WebSocketSelectorReads(this);
        /** Provider frames mostly arrive one per read: the empty read after each is spared. */
        private final ShortReads shortReads;

        ReadOnSelector(SocketChannel channel, ManagedSelector selector, SelectionKey key,
                       SelectorReadConnector owner) {
            super(channel, selector, key, owner.getScheduler());
            this.shortReads = new ShortReads(owner.skipped);
        }

        @Override
        public int fill(ByteBuffer buffer) throws IOException {
            if (shortReads.skip()) {
                return 0;
            }
            int room = BufferUtil.space(buffer);
            return shortReads.filled(room, super.fill(buffer));
        }

        @Override
        public void fillInterested(Callback callback) {
            super.fillInterested(reads.fillCallback(callback));
        }

        @Override
        public boolean tryFillInterested(Callback callback) {
            return super.tryFillInterested(reads.fillCallback(callback));
        }
    }
}
