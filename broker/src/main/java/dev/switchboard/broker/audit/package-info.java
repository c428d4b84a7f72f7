/**
 * The tamper-evident audit log (issue 14): one JSON Lines record per decision — sessions and responses opened,
 * refused and ended, limits and budgets, policy matches, circuit changes, the configuration loaded — hash-chained
 * across daily files, and the verifier of that chain ({@code switchboard.jar audit verify DIR}). Records carry ids,
 * figures and names, never prompt or answer text and never an API key (key ids only). See {@code docs/audit.md}.
 *
 * <p>Threading: {@link dev.switchboard.broker.audit.AuditLog#record} and everything that calls it (the response
 * hooks, the notices consumer, the admission watch) run on shard and Jetty threads: they build a small immutable
 * entry and offer it to a bounded queue, never blocking; a full queue is a lost record. One writer thread
 * ({@code switchboard-audit}) owns the files, the hash chain and every byte written: nothing else touches them.
 * The verifier is plain single-threaded code run by the command line or tests. Reading records back for the admin
 * API ({@code AuditTail}, any thread) opens the files on channels of its own and never touches the writer's state.
 */
@NullMarked
package dev.switchboard.broker.audit;

import org.jspecify.annotations.NullMarked;
