package dev.switchboard.bridge.upstream;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The one parser of a provider's {@code Retry-After} (RFC 9110 §10.2.3), for every adapter: either a number of
 * seconds ({@code 120}) or an HTTP-date ({@code Wed, 21 Oct 2026 07:28:00 GMT}, taken relative to the injected
 * clock; a date already past means "now"). A negative, malformed or absurd value (more than {@link #MAX} away) is
 * ignored, as if the header were absent: the retry policy then uses its own backoff. Stateless and thread-safe.
 */
public final class RetryAfter {
    /** The longest delay believed: beyond a day, the value is a provider bug, not advice. */
    public static final Duration MAX = Duration.ofDays(1);

    private RetryAfter() {
    }

    /** Parses against the system clock. */
    public static Optional<Duration> parse(String value) {
        return parse(value, InstantSource.system());
    }

    /**
     * @param value the header value, or null when absent
     * @param clock "now", for the HTTP-date form
     */
    public static Optional<Duration> parse(String value, InstantSource clock) {
        if (value == null) {
            return Optional.empty();
        }
        String text = value.trim();
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Duration delay;
        if (text.chars().allMatch(Character::isDigit)) {
            if (text.length() > 9) {
                return Optional.empty();
            }
            delay = Duration.ofSeconds(Long.parseLong(text));
        } else {
            try {
                Instant at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                delay = Duration.between(clock.instant(), at);
                if (delay.isNegative()) {
                    delay = Duration.ZERO;
                }
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        }
        return delay.compareTo(MAX) > 0 ? Optional.empty() : Optional.of(delay);
    }
}
