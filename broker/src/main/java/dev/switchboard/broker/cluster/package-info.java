/**
 * More than one broker (issue 17): the link to the shared Redis store and this node's heartbeat
 * ({@link dev.switchboard.broker.cluster.ClusterLink}); sessions mirrored into Redis Streams
 * ({@link dev.switchboard.broker.cluster.RedisSessionMirror}); the directory that finds a session held elsewhere and
 * takes over one whose owner is dead ({@link dev.switchboard.broker.cluster.SessionDirectory}); and following a
 * session a live node owns ({@link dev.switchboard.broker.cluster.FollowerSession}, fed by
 * {@link dev.switchboard.broker.cluster.StreamTail}, talking to the owner through
 * {@link dev.switchboard.broker.cluster.ClusterInbox}, where a {@link dev.switchboard.broker.cluster.RemoteChannel}
 * stands in for the client). See {@code docs/scale-out.md}.
 *
 * <p>Threading: shard threads never wait for Redis. They add to the mirror's lock-free queue, which one writer
 * thread ({@code switchboard-mirror}) sends as pipelined batches on its own connection; confirmations and every
 * other reply complete on Lettuce's event loop, which only publishes into rings and never blocks. The stream tail
 * has a thread and a connection of its own ({@code switchboard-tail}, blocked in {@code XREAD} at most 50 ms); the
 * heartbeat and owner checks run on {@code switchboard-cluster}. The directory's look-ups wait for Redis, bounded,
 * on the Jetty pool thread of a resuming WebSocket upgrade, never on a selector.
 */
@NullMarked
package dev.switchboard.broker.cluster;

import org.jspecify.annotations.NullMarked;
