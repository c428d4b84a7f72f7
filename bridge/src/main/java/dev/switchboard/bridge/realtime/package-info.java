/**
 * The {@code openai-realtime} adapter: a WebSocket relay to a Realtime upstream. Client events go up unchanged
 * (the broker holds the upstream credentials, never the tenant's key); server events come down as
 * {@link dev.switchboard.bridge.upstream.UpstreamEvent.Relayed} with their raw JSON, so event types the broker does
 * not model pass through untouched in both directions.
 *
 * <p>{@link dev.switchboard.bridge.realtime.RealtimeConnector} (configured by
 * {@link dev.switchboard.bridge.realtime.RealtimeConfig}) is the public entry point; each relay it opens is a
 * package-private {@code RealtimeRelay} with an explicitly demanding Jetty endpoint and an {@code Outbox} for
 * client events.
 *
 * <p>Threading: provider frames are read on the WebSocket client's selector thread ({@code SelectorReadConnector},
 * {@link dev.switchboard.bridge.realtime.WebSocketReadEndPoint}), so listener calls come from that selector, from
 * the pool thread that restarts reading after a demand made outside Jetty's read loop, or from the thread calling
 * {@code resume()}/{@code retryDelivery()}/{@code cancel()}; never concurrently for one relay. Nothing on the read
 * path may block: the listener's {@code tryDeliver} must not. {@code trySend}, {@code pause}, {@code resume},
 * {@code retryDelivery} and {@code cancel} are any-thread and never block; {@code trySend} writes on the calling
 * thread when the socket takes the bytes.
 */
@NullMarked
package dev.switchboard.bridge.realtime;

import org.jspecify.annotations.NullMarked;
