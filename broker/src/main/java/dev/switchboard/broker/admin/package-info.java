/**
 * The admin API (issue 15): a JSON API on a listener of its own ({@code admin.listen}) to see tenants and live
 * sessions, end a session, read recent audit records and reload the configuration, guarded by static bearer tokens
 * and, optionally, JWTs of the organisation's OpenID Connect provider, each with roles ({@code admin},
 * {@code viewer}, {@code tenant_admin}).
 * {@code /metrics} is served here too. See {@code docs/admin.md}.
 *
 * <h2>Why a server of its own</h2>
 * {@link dev.switchboard.broker.admin.AdminServer} is a second Jetty {@code Server}, not a second connector of the
 * broker's. The admin threads may block — on a JWKS fetch, on the bounded wait for a shard to end a session, on a
 * reload — and with a pool of their own ({@code switchboard-admin}, at most 8 threads) they can never take a thread
 * the streaming path needs, while the admin API stays reachable when the main pool is saturated, which is when an
 * operator needs it. The main listener's request path is untouched: no per-request routing by connector, no extra
 * context handler. The cost is one more small pool and selector, idle when nobody calls.
 *
 * <h2>Threading</h2>
 * Requests run on the admin pool's threads only. Nothing here touches a session's state: a listing reads each
 * session's {@code summary()} (fields the shard thread publishes for any reader), and ending a session publishes a
 * {@code SessionSignal.End} into its shard's ring, where the shard thread ends it. Guardrail counters are read
 * from the usage store without taking anything. Nothing here runs on a shard, selector or main-server thread.
 *
 * <h2>Secrets</h2>
 * Static tokens are held as SHA-256 digests and compared in constant time; a token, presented or configured, is
 * never logged, echoed or written to the audit log. Key ids are shown, never keys.
 */
@NullMarked
package dev.switchboard.broker.admin;

import org.jspecify.annotations.NullMarked;
