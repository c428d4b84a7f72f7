package dev.switchboard.bridge.realtime;

import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * A TCP end point whose WebSocket connection, once it has one (directly or beneath TLS), is read on the selector
 * thread that noticed its bytes ({@link WebSocketSelectorReads}, issue 12); anything else it carries keeps Jetty's
 * default. The relay client's end points are these, and the broker's listener end points extend it. A WebSocket
 * endpoint on one must never block in a frame callback.
 */
public class WebSocketReadEndPoint extends SocketChannelEndPoint {
    private final WebSocketSelectorReads reads = new WebSocketSelectorReads(this);

    /** As {@link SocketChannelEndPoint}'s constructor. */
    public WebSocketReadEndPoint(SocketChannel channel, ManagedSelector selector, SelectionKey key,
                                 Scheduler scheduler) {
        super(channel, selector, key, scheduler);
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
