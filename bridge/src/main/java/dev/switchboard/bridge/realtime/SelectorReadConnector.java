package dev.switchboard.bridge.realtime;

import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.util.Callback;

/**
 * The relay client's connector: its TCP end points read WebSocket connections on the selector thread (see
 * {@link WebSocketSelectorReads}); the HTTP upgrade exchange before it keeps Jetty's default. Every relay's frame
 * callback qualifies: {@link RealtimeRelay} reads the event's type, offers it with a non-blocking
 * {@code tryDeliver} and demands the next message only when it was taken.
 */
final class SelectorReadConnector extends ClientConnector {

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

        ReadOnSelector(SocketChannel channel, ManagedSelector selector, SelectionKey key, ClientConnector owner) {
            super(channel, selector, key, owner.getScheduler());
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
