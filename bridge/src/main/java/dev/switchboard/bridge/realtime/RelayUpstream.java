package dev.switchboard.bridge.realtime;

import dev.switchboard.bridge.upstream.Upstream;

/**
 * One Realtime WebSocket session with a provider, relayed for one broker session. Unlike an SSE
 * {@link Upstream}, it lives as long as the session, carries client events up as well as server events down, and
 * its events are {@link dev.switchboard.bridge.upstream.UpstreamEvent.Relayed} until the single terminal
 * {@link dev.switchboard.bridge.upstream.UpstreamEvent.End}.
 *
 * <h2>Callbacks and demand</h2>
 * Exactly as {@link Upstream} documents: server events reach the listener in provider order, never concurrently;
 * a refused event is held and re-offered on {@link #retryDelivery()}; {@link #pause()} stops reading frames, so the
 * provider's TCP flow control holds the data (one message already requested from the socket may still arrive; a
 * pause made inside {@code tryDeliver} takes effect before the next read). {@link #cancel()} closes the provider
 * WebSocket with 1000; an {@code End} with {@code Cancelled} follows unless another terminal event was already
 * delivered.
 *
 * <h2>Outcomes</h2>
 * {@code Failed} with {@code UPSTREAM_AUTH} (upgrade answered 401 or 403), {@code UPSTREAM_RATE_LIMITED} (429, with
 * its {@code Retry-After} when given), {@code UPSTREAM_REJECTED} (another 4xx), {@code UPSTREAM_UNAVAILABLE}
 * (connect refused, DNS, reset, or 5xx), {@code UPSTREAM_TIMEOUT} (connect or handshake timeout, 408, or no
 * traffic either way for the idle timeout) or {@code UPSTREAM_STREAM_BROKEN} (the provider closed or the connection
 * dropped while the broker still wanted it; the message names the close code and reason, or the transport error).
 * A relay never completes: it lives until one of those or {@code Cancelled}. Provider {@code error} events are
 * relayed, not terminal.
 */
public interface RelayUpstream extends Upstream {

    /**
     * Queues one client event (a complete JSON text, forwarded unchanged) for the provider. Events sent before
     * the provider WebSocket is open are queued and sent, in order, once it opens. Any thread; never blocks.
     *
     * @return {@code false} when the event was not queued: the relay has ended, or more than the connector's
     *     pending bound is waiting to be written (the caller reports that to the client; nothing is dropped
     *     silently)
     */
    boolean trySend(String clientEventJson);
}
