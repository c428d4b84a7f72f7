/**
 * Tenant guardrails (issue 13): rate limits, concurrency caps, token and cost budgets enforced at admission and
 * on every output delta, and the usage store they count in.
 *
 * <p>Threading: {@link dev.switchboard.broker.guardrail.TenantGuardrails} runs inside the response hooks, on
 * session shard threads, and at WebSocket admission, on Jetty threads. Nothing here blocks: counters are atomics
 * in a {@link dev.switchboard.broker.guardrail.UsageStore}; the local store's file is written on the broker's
 * scheduler thread, never on a shard or Jetty thread.
 */
@NullMarked
package dev.switchboard.broker.guardrail;

import org.jspecify.annotations.NullMarked;
