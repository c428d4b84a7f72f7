/**
 * The sharded LMAX Disruptor rings every session event flows through.
 *
 * <p>A few rings ({@code rings.shards}) are shared by all sessions; a session is pinned to one shard. Producers
 * (Jetty WebSocket threads for client frames, Jetty client threads for upstream events) publish with
 * {@code tryPublish}, which never blocks: a full ring is an expected outcome that the producer handles by
 * pausing its input. Each shard has one consumer thread, which calls the session's {@link
 * dev.switchboard.broker.stream.RingSubscriber} methods, so all of a session's state is touched by exactly one
 * thread. Ring slots are the only mutable data objects: pre-allocated, filled by static translators and cleared
 * after handling.
 */
@NullMarked
package dev.switchboard.broker.stream;

import org.jspecify.annotations.NullMarked;
