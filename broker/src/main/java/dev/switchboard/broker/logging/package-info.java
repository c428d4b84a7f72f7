/**
 * The broker's log backend (Logback), configured in code from the {@code logging} section: readable text on
 * standard error (the default, for dev mode) or one JSON object per line on standard output
 * ({@link dev.switchboard.broker.logging.LogSetup}). Log lines about a session carry its tenant and session id,
 * and the trace and span ids when a response is traced, as MDC entries (the keys are constants of
 * {@link dev.switchboard.broker.logging.LogSetup}), which both formats write.
 *
 * <p>Threading: Logback's appenders are thread-safe; {@link dev.switchboard.broker.logging.LogSetup#apply} runs
 * once at start-up, before the broker serves. Shard threads do not log: the operator log writes on the scheduler
 * thread. Nothing here ever writes a secret: what is logged is decided by the callers, which pass broker words,
 * ids and redacted provider text only.
 */
@NullMarked
package dev.switchboard.broker.logging;

import org.jspecify.annotations.NullMarked;
