package dev.switchboard.bridge.upstream;

/**
 * Opens streams to one configured provider. Implementations are thread-safe and shared by all sessions.
 */
public interface UpstreamConnector extends AutoCloseable {

    /** The provider name, used as a low-cardinality metric tag (e.g. {@code openai}). */
    String provider();

    /**
     * Starts a stream. Never throws for provider failures: they arrive as an {@link UpstreamEvent.End} with
     * {@link UpstreamOutcome.Failed}. The listener may be called before this method returns.
     */
    Upstream open(UpstreamRequest request, UpstreamListener listener);

    /** Releases the connector's HTTP resources. */
    @Override
    void close();
}
