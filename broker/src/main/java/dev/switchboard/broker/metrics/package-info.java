/**
 * Micrometer meters of the broker, exported in Prometheus text format at {@code /metrics}. Tags are low
 * cardinality ({@code model}, {@code provider}, {@code outcome}, {@code code}, {@code shard}); never a session,
 * stream, key or tenant id. Thread-safe.
 */
@NullMarked
package dev.switchboard.broker.metrics;

import org.jspecify.annotations.NullMarked;
