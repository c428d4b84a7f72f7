/**
 * Notices: the decisions and state changes that the audit log records and webhooks announce — a limit refused a
 * request, a budget crossed an alert threshold or ran out, a content policy rule matched, a provider's circuit
 * opened or closed. Producers ({@code guardrail}, {@code route}, the content policy) publish a {@link
 * dev.switchboard.broker.notice.Notice} to {@link dev.switchboard.broker.notice.Notices}; consumers subscribe by
 * being one of the fanned-out {@code Notices}.
 *
 * <p>Threading: {@code publish} is called on session shard threads, Jetty threads and the scheduler, on the hot
 * path. Implementations never block: they hand the notice to their own thread (a bounded queue) and return.
 */
@NullMarked
package dev.switchboard.broker.notice;

import org.jspecify.annotations.NullMarked;
