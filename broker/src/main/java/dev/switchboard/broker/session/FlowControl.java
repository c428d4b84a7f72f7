package dev.switchboard.broker.session;

/**
 * Backpressure signals from a connection's outbound buffer. Called from the shard thread (high) or a Jetty
 * thread (low); implementations must be thread-safe and non-blocking. High and low alternate.
 */
public interface FlowControl {

    /** Unsent bytes rose above the high watermark: stop reading the upstream. */
    void onHighWatermark();

    /** Unsent bytes fell below the low watermark: read the upstream again. */
    void onLowWatermark();
}
