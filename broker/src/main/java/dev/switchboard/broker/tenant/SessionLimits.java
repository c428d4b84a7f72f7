package dev.switchboard.broker.tenant;

import dev.switchboard.broker.config.Guardrails;
import java.time.Duration;
import java.util.Optional;

/**
 * How long one WebSocket session of a key may live and stay idle: the tighter of the tenant's and the key's
 * {@code limits.session_max_duration} and {@code limits.session_idle_timeout}. Immutable.
 *
 * @param maxDuration a session is closed this long after it opened; empty: no limit
 * @param idleTimeout a session is closed after this long without a client frame (a detached session counts as
 *     idle); empty: no limit
 */
public record SessionLimits(Optional<Duration> maxDuration, Optional<Duration> idleTimeout) {
    /** No limit. */
    public static final SessionLimits NONE = new SessionLimits(Optional.empty(), Optional.empty());

    /** The limits a key is held to: for each, the shorter of the tenant's and the key's own, if either is set. */
    public static SessionLimits of(Guardrails.Limits tenant, Guardrails.Limits key) {
        return new SessionLimits(shorter(tenant.sessionMaxDuration(), key.sessionMaxDuration()),
                shorter(tenant.sessionIdleTimeout(), key.sessionIdleTimeout()));
    }

    /** Whether no limit is set. */
    public boolean isEmpty() {
        return maxDuration.isEmpty() && idleTimeout.isEmpty();
    }

    private static Optional<Duration> shorter(Optional<Duration> a, Optional<Duration> b) {
        if (a.isEmpty()) {
            return b;
        }
        return b.isEmpty() || a.get().compareTo(b.get()) <= 0 ? a : b;
    }
}
