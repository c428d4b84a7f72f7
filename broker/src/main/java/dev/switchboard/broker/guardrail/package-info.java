/**
 * Tenant guardrails (issue 13): rate limits, concurrency caps, token and cost budgets enforced at admission and
 * on every output delta, and the usage store they count in.
 *
 * <p>Threading: {@link dev.switchboard.broker.guardrail.TenantGuardrails} runs inside the response hooks, on
 * session shard threads, and at WebSocket admission, on Jetty pool threads. Nothing on a shard thread blocks: the
 * local store's counters are atomics, and with the Redis store a response's admission runs on the store's own
 * executor and comes back as a pending verdict, while per-delta metering answers from a node-local view; session
 * admission on a Jetty pool thread may wait for Redis, at most the command timeout. The local store's file is
 * written on the broker's scheduler thread, the Redis store's retries run on the cluster link's scheduler.
 */
@NullMarked
package dev.switchboard.broker.guardrail;

import org.jspecify.annotations.NullMarked;
