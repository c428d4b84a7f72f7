package dev.switchboard.broker.session;

/**
 * Backpressure signals from a connection's outbound buffer; high and low alternate per connection.
 *
 * <p>Threads: {@link #onHighWatermark} comes from the thread that hands the connection a frame, which is the
 * session's shard thread. {@link #onLowWatermark} comes from the thread that completes a write: usually a Jetty
 * thread (a selector or pool thread finishing the socket write), but the shard thread itself when Jetty completes a
 * write inline inside the send, or when the sender re-checks after crossing the high watermark. Implementations
 * must therefore be thread-safe and non-blocking, and must not assume either signal's thread (the session funnels
 * both into {@link FlowGate}).
 */
public interface FlowControl {

    /**
     * Unsent bytes of {@code source} rose above the high watermark: stop reading the upstream. Ignored unless
     * {@code source} is the session's attached connection.
     */
    void onHighWatermark(ClientChannel source);

    /**
     * Unsent bytes of {@code source} fell below the low watermark: read the upstream again. Ignored unless
     * {@code source} is the session's attached connection: a connection replaced by a resume still completes
     * (or fails) its writes, and must not resume an upstream its successor has paused.
     */
    void onLowWatermark(ClientChannel source);
}
