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
    RelayUpstream open(String upstreamModel, UpstreamListener listener);

    /** Releases the WebSocket client. */
    @Override
    void close();
}
