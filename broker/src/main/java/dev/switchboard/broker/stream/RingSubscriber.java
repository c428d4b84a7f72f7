package dev.switchboard.broker.stream;

import dev.switchboard.bridge.upstream.UpstreamEvent;
import dev.switchboard.protocol.codec.ClientDecoding;

/**
 * Receives a session's events on its shard's consumer thread. Calls for one subscriber are never concurrent and
 * arrive in publication order per producer. Implementations must not block.
 */
public interface RingSubscriber {

    /** A client frame, decoded or rejected, received at {@code receivedNanos} ({@link System#nanoTime()}). */
    void onClientFrame(ClientDecoding frame, long receivedNanos);

    /** An upstream event; {@code source} identifies the stream that produced it. */
    void onUpstreamEvent(Object source, UpstreamEvent event);

    /** A connection life-cycle signal; {@code argument} depends on the signal. */
    void onControl(Control signal, Object argument);

    /** Connection life-cycle signals. */
    enum Control {
        /** A client connection attached; the argument is the connection. */
        OPENED,
        /** The client connection closed; the argument is the connection. */
        CLOSED,
        /** A scheduled upstream retry is due; the argument is the response it belongs to. */
        RETRY,
        /** A connection resumes the session; the argument says which and from where. */
        RESUMED,
        /** A connection catching up after a resume has drained; send it more of the log. No argument. */
        CATCH_UP,
        /** The session had no connection for its resume TTL; no argument. */
        EXPIRED,
        /**
         * The broker is draining; the argument is {@code Boolean.TRUE} when the drain timeout has passed and the
         * connection must be closed even with a response in progress.
         */
        DRAIN
    }
}
