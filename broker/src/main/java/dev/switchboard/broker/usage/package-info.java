/**
 * Usage reporting (issue 15): a per-tenant ledger of what was served and refused — per UTC day, model alias and key
 * id: responses, input / output / cached / audio tokens as the provider reported them, their cost from
 * {@code prices}, and refusals — and the report query behind {@code GET /admin/tenants/{id}/usage}. See
 * {@code docs/usage.md}.
 *
 * <p>Threading: the ledger is fed on the threads of the seams it decorates — {@link
 * dev.switchboard.broker.session.ResponseHooks} on session shard threads, the admission watch on Jetty threads,
 * notices on whichever thread publishes them. Those calls never block and do no I/O: each adds to the atomic
 * counters of one small row key in a {@link java.util.concurrent.ConcurrentHashMap} (one short-lived key object per
 * ended response, nothing per delta). One thread of the ledger's own ({@code switchboard-usage}) prunes days past
 * the retention and owns every byte of the ledger files; nothing else reads or writes them. {@link
 * dev.switchboard.broker.usage.UsageReport#query} reads the live counters from any thread. In a cluster the same
 * thread also adds each row's growth to Redis (waiting for Redis there, bounded, never on a shard thread), and
 * {@code query} reads the cluster's sums from Redis, blocking its caller (the admin API's thread) a few seconds at
 * most.
 */
@NullMarked
package dev.switchboard.broker.usage;

import org.jspecify.annotations.NullMarked;
