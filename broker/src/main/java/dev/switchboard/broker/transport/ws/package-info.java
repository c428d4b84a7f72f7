/**
 * The client-facing transport: HTTP routes ({@code /healthz}, {@code /metrics}), the authenticated WebSocket
 * upgrade at {@code /v1/realtime}, and {@code WsConnection}, one per client WebSocket.
 *
 * <p>Threading: Jetty calls a connection's listener methods one at a time, reads on the listener's selector thread
 * (the end point declares WebSocket reads non-blocking, issue 12; a read restarted by a demand from another thread
 * runs on a pool thread), so nothing here may block. Inbound messages arrive there in pieces, are joined (at most
 * {@code limits.max_frame_bytes} of each), decoded and published to the session's ring; the connection demands the
 * next piece of a message at once, but the next message only after the publish succeeded, so a full ring pauses
 * reading from that client instead of blocking a thread. Outbound frames are queued by the shard thread with
 * Jetty's async send; completion callbacks run on Jetty threads.
 */
@NullMarked
package dev.switchboard.broker.transport.ws;

import org.jspecify.annotations.NullMarked;
