package dev.switchboard.bridge.realtime;

import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ManagedSelector;

/**
 * The relay client's connector: its TCP end points read WebSocket connections on the selector thread (see
 * {@link WebSocketReadEndPoint}); the HTTP upgrade exchange before it keeps Jetty's default. Every relay's frame
 * callback qualifies: {@link RealtimeRelay} reads the event's type, offers it with a non-blocking
 * {@code tryDeliver} and demands the next message only when it was taken.
 */
final class SelectorReadConnector extends ClientConnector {

    @Override
    protected EndPoint newEndPoint(SelectableChannel selectable, ManagedSelector selector, SelectionKey key) {
        if (selectable instanceof SocketChannel channel) {
            return new WebSocketReadEndPoint(channel, selector, key, getScheduler());
        }
        return super.newEndPoint(selectable, selector, key);
    }
}
