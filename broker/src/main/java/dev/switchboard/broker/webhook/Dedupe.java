package dev.switchboard.broker.webhook;

import dev.switchboard.broker.notice.Notice;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;

/**
 * What makes two notices, published on two nodes, the same real-world event, so that a cluster announces it once
 * (see {@code docs/webhooks.md}, "In a cluster"). Stateless; any thread.
 *
 * <ul>
 *   <li>{@code budget.threshold}: tenant, budget, period and threshold — once per period.</li>
 *   <li>{@code budget.exhausted}: tenant, budget and period.</li>
 *   <li>{@code limit.exceeded}: tenant, key id, limit and UTC minute — as one node already announces it.</li>
 *   <li>{@code provider.circuit_opened} / {@code _closed}: provider, transition and UTC minute. Each node has its own
 *       breaker; the openings of one provider's breakers on several nodes within one minute are one event.</li>
 *   <li>{@code policy.violation}: none — only the node that runs a response checks it, so every match is its own
 *       event (it names its response).</li>
 * </ul>
 *
 * @param key the event's identity: {@code <type>:<32 hex digits>}, a hash of the fields above
 * @param window how long the claim on it lasts in Redis: past the end of its minute or period
 */
record Dedupe(String key, Duration window) {
    private static final Duration MINUTE_WINDOW = Duration.ofMinutes(2);
    private static final Duration DAY_WINDOW = Duration.ofDays(2);
    private static final Duration MONTH_WINDOW = Duration.ofDays(32);

    /** The identity of {@code notice}'s event; empty for notices that need none. */
    static Optional<Dedupe> of(Notice notice) {
        if (notice instanceof Notice.BudgetThreshold t) {
            return Optional.of(of("budget.threshold", period(t.period()), t.tenant(), Integer.toString(t.budget()),
                    t.periodId(), Double.toString(t.threshold())));
        }
        if (notice instanceof Notice.BudgetExhausted e) {
            return Optional.of(of("budget.exhausted", period(e.period()), e.tenant(), Integer.toString(e.budget()),
                    e.periodId()));
        }
        if (notice instanceof Notice.LimitExceeded l) {
            return Optional.of(of("limit.exceeded", MINUTE_WINDOW, l.tenant(), l.keyId(), l.limit(),
                    Long.toString(minute(notice))));
        }
        if (notice instanceof Notice.CircuitChanged c) {
            return Optional.of(of("provider.circuit", MINUTE_WINDOW, c.provider(), c.from(), c.to(),
                    Long.toString(minute(notice))));
        }
        return Optional.empty();
    }

    /**
     * The {@code webhook-id} of this event's message to {@code endpoint}: the same on every node, so a receiver
     * that gets it twice (Redis was unreachable and two nodes sent it) can deduplicate.
     */
    String messageId(String endpoint) {
        return "msg_" + hash(key + "\n" + endpoint);
    }

    private static Dedupe of(String type, Duration window, String... fields) {
        return new Dedupe(type + ":" + hash(String.join("\n", fields)), window);
    }

    private static Duration period(String period) {
        return period.equals("day") ? DAY_WINDOW : MONTH_WINDOW;
    }

    private static long minute(Notice notice) {
        return Math.floorDiv(notice.at().getEpochSecond(), 60);
    }

    /** 128 bits of SHA-256, as 32 hex digits. */
    private static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
