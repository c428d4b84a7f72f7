/**
 * The OpenAI-compatible HTTP endpoints: {@code POST /v1/chat/completions} (streamed as server-sent events or
 * answered as one JSON object) and {@code GET /v1/models}; and the HTTP plumbing under every route:
 * {@code ListenerConnectors} (a listener's connector, plain HTTP/1.1 or TLS with HTTP/2 and HTTP/1.1 by ALPN),
 * {@code DeadlineConnector} (request header and body deadlines Jetty's idle timeout cannot give, a bounded close
 * linger), {@code SerialHttpConnectionFactory} (HTTP/1.1 connections whose read loop two threads never run at
 * once, which Jetty 12.0 allows after a malformed request) and {@code JsonErrorHandler} (Jetty's own refusals
 * in OpenAI's error shape, logged rate-limited and without request data). {@code HttpErrors.refuse} is the one
 * way any route refuses a request: OpenAI's error shape, at once, without waiting for an unread body.
 *
 * <p>A chat-completions request does not get a pipeline of its own. It becomes a <em>headless</em>
 * {@link dev.switchboard.broker.session.RealtimeSession}, pinned to a ring shard like a WebSocket session, whose
 * {@link dev.switchboard.broker.session.ClientChannel} is the HTTP response: the request is replayed into the
 * session as Realtime client events ({@code session.update}, one {@code conversation.item.create} per message,
 * {@code response.create}) through the shard's ring, and the session's Realtime server events are translated
 * back into chat-completion chunks. Routing, retries, failover, circuit breaking, metrics and backpressure are
 * therefore the Realtime ones.
 *
 * <p>Threading:
 * <ul>
 *   <li>Jetty server threads authenticate, read the body (demand-driven, never blocking), parse it and publish
 *       the session's input with {@code tryPublish}; a full ring is retried on the broker's scheduler, in
 *       order, never by blocking.</li>
 *   <li>The session's shard consumer thread calls the exchange's {@code trySend} with each server event, one at
 *       a time; all translation state is confined to that thread. It never blocks: output is queued on an
 *       {@code SseWriter}, which hands one coalesced buffer at a time to Jetty's async
 *       {@code Response.write}.</li>
 *   <li>Write completions, and request failures such as a client that went away, arrive on Jetty threads; the
 *       keep-alive heartbeat runs on the broker's scheduler thread. Both only touch the writer (thread-safe,
 *       its own small lock, never held across a call out) and atomic flags.</li>
 *   <li>Deadlines run on Jetty's scheduler: a connection's header and linger deadlines
 *       ({@code DeadlineEndPoint}) and a request's body deadline ({@code BodyReader}). Each is a compare-and-set
 *       on a small state machine, so a deadline never acts on a phase that has moved on, and a body deadline
 *       never answers while a Jetty thread is still reading the body.</li>
 *   <li>An exchange ends exactly once: the Jetty callback is completed once and {@code SessionSignal.Closed} is
 *       published once, after everything else the exchange published, so the session is closed (and its
 *       upstream cancelled if still running) whatever ended the exchange.</li>
 * </ul>
 */
@NullMarked
package dev.switchboard.broker.transport.http;

import org.jspecify.annotations.NullMarked;
