package dev.switchboard.broker.session;

/**
 * Backpressure signals from a connection's outbound buffer. Called from the shard thread (high) or a Jetty
 * thread (low); implementations must be thread-safe and non-blocking. High and low alternate.
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
