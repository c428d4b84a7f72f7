package dev.switchboard.bridge.sse;

import java.util.Map;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.client.transport.internal.HttpConnectionOverHTTP;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;

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
    /** A transport with Jetty's defaults (one selector, which is ample: its reads only parse and publish). */
    public SelectorReadTransport() {
        super();
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
}
