/**
 * Signed webhooks (issue 14): announces {@link dev.switchboard.broker.notice.Notice}s to configured receivers,
 * signed per the Standard Webhooks specification, delivered at least once through a durable outbox on disk, with
 * retries, {@code Retry-After}, 410-disables and an SSRF guard on every resolved address. See
 * {@code docs/webhooks.md}.
 *
 * <p>Threading: {@link dev.switchboard.broker.webhook.WebhookNotices#publish} runs on shard, Jetty and scheduler
 * threads and only offers the notice to a bounded queue (a full queue drops and counts it). Everything else — turning
 * notices into messages, the outbox's file I/O (write, fsync, delete), scheduling attempts and handling their
 * outcomes — runs on the single {@code switchboard-webhooks} thread, which owns all mutable state, so nothing here
 * is locked. Requests are sent by the package's own Jetty {@code HttpClient} on its own pool; its completion
 * callbacks only hand the outcome back to the webhook thread. In a cluster, the Redis claim of an event (one
 * {@code SET NX}, never waited for) completes on Lettuce's event loop, which likewise only hands the outcome back.
 */
@NullMarked
package dev.switchboard.broker.webhook;

import org.jspecify.annotations.NullMarked;
