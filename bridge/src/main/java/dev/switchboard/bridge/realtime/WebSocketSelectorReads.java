package dev.switchboard.bridge.realtime;

import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.WebSocketConnection;
import org.jspecify.annotations.Nullable;

/**
 * Lets Jetty read a WebSocket connection on the selector thread that noticed its bytes, instead of handing each
 * network read to a pool thread (issue 12). One per {@link WebSocketReadEndPoint}, which passes every
 * fill-interest callback through {@link #fillCallback}.
 *
 * <p>Why at the end point: Jetty decides where a read runs from the invocation type of the callback registered for
 * fill interest ({@code SelectableChannelEndPoint}'s fillable task reports {@code FillInterest}'s callback type,
 * and {@code AdaptiveExecutionStrategy} runs a {@code NON_BLOCKING} task on the selector, but hands a
 * {@code BLOCKING} one to the pool or the selector role to another thread). A WebSocket connection registers
 * {@code AbstractConnection}'s read callback, whose type is the connection's {@code getInvocationType()}, and
 * {@code WebSocketConnection} does not override it: always {@code BLOCKING}. Nothing in the WebSocket API changes
 * that ({@code ServerWebSocketContainer.setInvocationType} types the upgrade request's handler only, and
 * {@code Configuration}, {@code WebSocketComponents} and frame handlers have no invocation type), and the
 * {@code WebSocketConnection} is constructed inside Jetty (the server's {@code HandshakerSelector}, fixed in
 * {@code WebSocketMappings}; the client's {@code CoreClientUpgradeRequest.upgrade}), so it cannot be subclassed. The
 * end point is the one public place left: it is created by overridable factory methods on both sides.
 *
 * <p>Only WebSocket connections are affected, directly on the end point or beneath TLS (the TLS connection's read
 * then runs on the selector too, decrypting and reading the WebSocket frames in one go); HTTP requests, the upgrade
 * request itself and HTTP/2 keep Jetty's default. So a WebSocket endpoint on such an end point must never block in
 * a frame callback: the broker's only decode or peek and publish to a ring with {@code tryPublish}, and a refused
 * publish is retried on a scheduler while the connection stops demanding.
 *
 * <p>A demand made outside Jetty's read loop (after a pause, a ring-full retry, the first one after opening) still
 * starts that read on a pool thread: {@code WebSocketConnection.demand()} executes it; later reads return to the
 * selector. Thread-safe: read-interest registrations of one end point do not overlap, and the cached wrapper is
 * only an optimisation (a race allocates one more).
 */
final class WebSocketSelectorReads {
    private final EndPoint endPoint;
    private volatile @Nullable NonBlockingRead last;

    /** @param endPoint the TCP end point whose fill interest goes through {@link #fillCallback} */
    WebSocketSelectorReads(EndPoint endPoint) {
        this.endPoint = endPoint;
    }

    /**
     * The callback to register for fill interest in place of {@code read}: {@code read} itself, or, while the end
     * point's connection is a WebSocket connection (directly or beneath TLS), {@code read} declared non-blocking.
     */
    Callback fillCallback(Callback read) {
        if (!isWebSocket(endPoint.getConnection())) {
            return read;
        }
        NonBlockingRead wrapper = last;
        if (wrapper == null || wrapper.read() != read) {
            // A connection registers the same read callback every time: one wrapper per connection, not per read.
            wrapper = new NonBlockingRead(read);
            last = wrapper;
        }
        return wrapper;
    }

    /** Whether {@code connection}, or the connection beneath its TLS, is a WebSocket connection. */
    static boolean isWebSocket(@Nullable Connection connection) {
        Connection reading = connection instanceof SslConnection tls ? tls.getSslEndPoint().getConnection()
                : connection;
        return reading instanceof WebSocketConnection;
    }

    /** {@code read}, declared to run without blocking. */
    private record NonBlockingRead(Callback read) implements Callback {
        @Override
        public void succeeded() {
            read.succeeded();
        }

        @Override
        public void failed(Throwable cause) {
            read.failed(cause);
        }

        @Override
        public InvocationType getInvocationType() {
            return InvocationType.NON_BLOCKING;
        }
    }
}
