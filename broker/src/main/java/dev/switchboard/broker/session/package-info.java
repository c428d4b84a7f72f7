/**
 * Realtime sessions: conversation state, the response state machine and the {@code seq} stream.
 *
 * <p>Threading: a {@link dev.switchboard.broker.session.RealtimeSession} is confined to its shard's consumer
 * thread; every input (client frames, upstream events, connection life-cycle) reaches it through the shard's
 * ring, so its state needs no locks. The only members touched from other threads are the flow-control
 * callbacks, which only read a volatile reference and call the thread-safe {@code Upstream.pause/resume}.
 */
@NullMarked
package dev.switchboard.broker.session;

import org.jspecify.annotations.NullMarked;
