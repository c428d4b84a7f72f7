package dev.switchboard.protocol.event;

import java.util.List;

/**
 * {@code rate_limits.updated} — the Realtime API's report of the limits that apply to the session, sent after a
 * response is admitted, with {@code seq} like every server event. Switchboard reports its tenant's own limits
 * (the tenant's or the key's, whichever is tighter).
 *
 * @param rateLimits one entry per limit
 */
public record RateLimitsUpdated(List<RateLimit> rateLimits) implements ServerEvent {
    public RateLimitsUpdated {
        rateLimits = List.copyOf(rateLimits);
    }

    /**
     * One limit.
     *
     * @param name {@code requests} or {@code tokens}
     * @param limit the most per minute
     * @param remaining what is left now
     * @param resetSeconds seconds until the limit is whole again
     */
    public record RateLimit(String name, long limit, long remaining, double resetSeconds) {
        public RateLimit {
            Defaults.require(name, "name");
        }
    }
}
