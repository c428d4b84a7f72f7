/**
 * More than one broker (issue 17): the link to the shared Redis store, this node's heartbeat, and the directory of
 * which node is alive. Everything that shares state across nodes (guardrail counters, session directories and replay
 * streams) reaches Redis through {@link dev.switchboard.broker.cluster.ClusterLink}.
 *
 * <p>Threading: one shared Lettuce connection, thread-safe, asynchronous and pipelined; commands are issued from any
 * thread and never waited for on a shard thread or a Jetty selector (their futures complete on Lettuce's own event
 * loop, which must not block either). The heartbeat runs on the link's own scheduler thread
 * ({@code switchboard-cluster}). Blocking reads (stream tails) use connections of their own.
 */
@NullMarked
package dev.switchboard.broker.cluster;

import org.jspecify.annotations.NullMarked;
