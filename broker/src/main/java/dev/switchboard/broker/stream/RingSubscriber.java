package dev.switchboard.broker.stream;

import dev.switchboard.bridge.upstream.UpstreamEvent;
import dev.switchboard.protocol.codec.ClientDecoding;

/**
 * Receives a session's events on its shard's consumer thread. Calls for one subscriber are never concurrent and
 * arrive in publication order per producer. Implementations must not block.
 *
 * @param <S> the subscriber's own signals (life-cycle and timers), a sealed type of records
 */
public interface RingSubscriber<S> {

    /** A client frame, decoded or rejected, received at {@code receivedNanos} ({@link System#nanoTime()}). */
    void onClientFrame(ClientDecoding frame, long receivedNanos);

    /** An upstream event; {@code source} identifies the stream that produced it (compare by identity). */
    void onUpstreamEvent(UpstreamSource source, UpstreamEvent event);

    /** One of the subscriber's signals. */
    void onSignal(S signal);
}
