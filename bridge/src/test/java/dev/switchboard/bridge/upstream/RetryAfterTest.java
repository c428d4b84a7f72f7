package dev.switchboard.bridge.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Issue 11: one {@code Retry-After} parser for every adapter, where three disagreed. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RetryAfterTest {
    private static final InstantSource NOW = InstantSource.fixed(Instant.parse("2026-12-04T10:00:00Z"));

    @Test
    void seconds_are_a_delay() {
        assertEquals(Optional.of(Duration.ofSeconds(3)), RetryAfter.parse(" 3 ", NOW));
        assertEquals(Optional.of(Duration.ZERO), RetryAfter.parse("0", NOW));
    }

    @Test
    void an_http_date_is_the_delay_until_that_date() {
        assertEquals(Optional.of(Duration.ofSeconds(90)), RetryAfter.parse("Fri, 04 Dec 2026 10:01:30 GMT", NOW));
    }

    @Test
    void an_http_date_already_past_means_now() {
        assertEquals(Optional.of(Duration.ZERO), RetryAfter.parse("Fri, 04 Dec 2026 09:00:00 GMT", NOW));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "1.5", "soon", "", "99999999999", "86401", "Wed, 21 Oct 2037 07:28:00 GMT",
        "Fri, 04 Dec 2026 10:01:30"})
    void negative_malformed_or_absurd_values_are_ignored(String value) {
        assertEquals(Optional.empty(), RetryAfter.parse(value, NOW));
    }

    @Test
    void an_absent_header_is_no_delay() {
        assertEquals(Optional.empty(), RetryAfter.parse(null, NOW));
    }
}
