/**
 * The {@code openai-realtime} adapter: a WebSocket relay to a Realtime upstream. Client events go up unchanged
 * (the broker holds the upstream credentials, never the tenant's key); server events come down as
 * {@link dev.switchboard.bridge.upstream.UpstreamEvent.Relayed} with their raw JSON, so event types the broker does
 * not model pass through untouched in both directions.
 *
 * <p>Threading: listener calls come from Jetty WebSocket client threads or from the thread calling
 * {@code resume()}/{@code retryDelivery()}, never concurrently for one relay; {@code trySend} is any-thread.
 */
@NullMarked
package dev.switchboard.bridge.realtime;

import org.jspecify.annotations.NullMarked;
