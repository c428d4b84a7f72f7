package dev.switchboard.broker.notice;

import java.time.Instant;

/**
 * One decision or state change worth recording or announcing. Records carry figures and names, never prompt or
 * answer text (a policy match names its rule, not what matched).
 */
public sealed interface Notice {
    /** When it happened, from the broker's clock. */
    Instant at();

    /**
     * A limit refused a request or a session.
     *
     * @param tenant the tenant
     * @param keyId the key whose own limit refused, or empty when the tenant's limit did
     * @param limit {@code requests_per_minute}, {@code tokens_per_minute}, {@code concurrent_sessions} or
     *     {@code concurrent_responses}
     * @param value the configured limit
     */
    record LimitExceeded(Instant at, String tenant, String keyId, String limit, long value) implements Notice {
    }

    /**
     * A budget's spend crossed one of its {@code alert_at} fractions in the current period (once per period).
     *
     * @param budget the budget's position in the tenant's {@code budgets} list
     * @param period {@code day} or {@code month}
     * @param periodId the period, {@code 2026-12-04} or {@code 2026-12}
     * @param unit {@code tokens} or {@code usd}
     * @param threshold the fraction crossed, e.g. 0.8
     * @param spent the spend after the charge that crossed it, in {@code unit}
     * @param limit the budget, in {@code unit}
     */
    record BudgetThreshold(Instant at, String tenant, int budget, String period, String periodId, String unit,
                           double threshold, double spent, double limit) implements Notice {
    }

    /** A budget ran out in the current period: the response that spent it was stopped (same fields as above). */
    record BudgetExhausted(Instant at, String tenant, int budget, String period, String periodId, String unit,
                           double spent, double limit) implements Notice {
    }

    /**
     * A content policy rule matched.
     *
     * @param direction {@code input} or {@code output}
     * @param action {@code redact}, {@code block} or {@code flag}
     * @param policyVersion the effective policy's version (a hash of its canonical form)
     * @param responseId the response, or empty when a request was refused before it had one
     */
    record PolicyMatched(Instant at, String tenant, String keyId, String sessionId, String responseId,
                         String policy, String policyVersion, String rule, String action, String direction)
            implements Notice {
    }

    /**
     * A provider's circuit breaker changed state.
     *
     * @param from {@code closed}, {@code open} or {@code half_open}
     * @param to likewise
     * @param cause the failure that opened it (broker words, never provider text), or empty
     */
    record CircuitChanged(Instant at, String provider, String from, String to, String cause) implements Notice {
    }

    /**
     * A webhook receiver answered 410 Gone: the broker stops delivering to it until it restarts.
     *
     * @param endpoint the receiver's URL without user info or query
     * @param status the HTTP status that disabled it
     */
    record WebhookDisabled(Instant at, String endpoint, int status) implements Notice {
    }
}
