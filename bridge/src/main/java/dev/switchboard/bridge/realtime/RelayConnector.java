package dev.switchboard.bridge.realtime;

import dev.switchboard.bridge.upstream.UpstreamListener;

/**
 * Opens Realtime WebSocket relays to one configured provider ({@code kind: openai-realtime}). Thread-safe,
 * shared by all sessions. The provider's API key is held here and sent only to the provider; it never appears
 * in logs, outcomes or anything relayed to clients.
 */
public interface RelayConnector extends AutoCloseable {

    /** The provider name, a low-cardinality metric tag. */
    String provider();

    /**
     * Connects to {@code {base_url}/realtime?model=upstreamModel}. Never throws for provider failures: they arrive
     * as the terminal {@code End}. The listener may be called before this method returns.
     */
    default RelayUpstream open(String upstreamModel, UpstreamListener listener) {
        return open(upstreamModel, java.util.Map.of(), listener);
    }

    /**
     * As {@link #open(String, UpstreamListener)}, with {@code headers} added to the WebSocket upgrade request as
     * they are: the broker's trace context (a W3C {@code traceparent}). Never credentials: the connector's own
     * headers, the API key among them, are set after these and win.
     */
    RelayUpstream open(String upstreamModel, java.util.Map<String, String> headers, UpstreamListener listener);

    /** Releases the WebSocket client. */
    @Override
    void close();
}
