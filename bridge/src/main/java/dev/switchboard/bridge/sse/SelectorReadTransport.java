package dev.switchboard.bridge.sse;

import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.client.transport.internal.HttpConnectionOverHTTP;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.Transport;

/**
 * HTTP/1.1 client transport whose connections are read on the selector thread that saw the bytes arrive.
 *
 * <p>Jetty treats a connection as blocking unless it says otherwise, so every readable upstream socket is handed
 * from the selector to a pool thread, which parses the chunk and calls the stream's demand callback: a wake-up and a
 * context switch per provider chunk, the largest single cost per token in the broker's profile (issue 12). Every
 * consumer of this client's responses is non-blocking — {@link SseStream} parses and offers events with a
 * non-blocking {@code tryDeliver}, and stops demanding when the broker cannot take more — so the read can run where
 * it is noticed. A client built on this transport must keep that rule: no response listener may block, sleep or
 * wait for I/O. Callers that need a blocking call ({@code send()} without a listener) still work: they block their
 * own thread, and the response completes on the selector.
 */
public final class SelectorReadTransport extends HttpClientTransportOverHTTP {
    private final LongAdder skippedReads;

    /** A transport with Jetty's defaults (one selector, which is ample: its reads only parse and publish). */
    public SelectorReadTransport() {
        this(new LongAdder());
    }

    private SelectorReadTransport(LongAdder skippedReads) {
        super(new ShortReadConnector(skippedReads));
        getClientConnector().setSelectors(1);
        this.skippedReads = skippedReads;
    }

    /** Reads skipped because the read before them had emptied the socket ({@link ShortReadEndPoint}). */
    public long skippedReads() {
        return skippedReads.sum();
    }

    /** An {@link HttpClient} on this transport, not yet started. */
    public static HttpClient newClient() {
        return new HttpClient(new SelectorReadTransport());
    }

    @Override
    public Connection newConnection(EndPoint endPoint, Map<String, Object> context) {
        HttpConnectionOverHTTP connection = new HttpConnectionOverHTTP(endPoint, context) {
            @Override
            public InvocationType getInvocationType() {
                return InvocationType.NON_BLOCKING;
            }
        };
        connection.setInitialize(isInitializeConnections());
        return customize(connection, context);
    }

    /** Plain TCP connections get a {@link ShortReadEndPoint}; anything else Jetty's own end point. */
    private static final class ShortReadConnector extends ClientConnector {
        private final LongAdder skipped;

        ShortReadConnector(LongAdder skipped) {
            this.skipped = skipped;
        }

        @Override
        protected EndPoint newEndPoint(SelectableChannel selectable, ManagedSelector selector, SelectionKey key) {
            Object transport = key.attachment() instanceof Map<?, ?> context
                    ? context.get(Transport.class.getName()) : null;
            if (transport == Transport.TCP_IP && selectable instanceof SocketChannel channel) {
                return new ShortReadEndPoint(channel, selector, key, getScheduler(), skipped);
            }
            return super.newEndPoint(selectable, selector, key);
        }
    }
}
