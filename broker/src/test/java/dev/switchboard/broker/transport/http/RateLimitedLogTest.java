package dev.switchboard.broker.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RateLimitedLogTest {
    private final AtomicLong nanos = new AtomicLong(1_000);
    private final List<String> lines = new ArrayList<>();
    private final RateLimitedLog log = new RateLimitedLog(lines::add, Duration.ofSeconds(10), nanos::get);

    @Test
    void the_first_event_is_logged_and_the_rest_of_the_interval_only_counted() {
        for (int i = 0; i < 200; i++) {
            log.log("refused");
        }

        assertEquals(List.of("refused"), lines);
    }

    @Test
    void the_first_line_after_the_interval_says_how_many_were_left_out() {
        for (int i = 0; i < 200; i++) {
            log.log("refused");
        }
        nanos.addAndGet(Duration.ofSeconds(10).toNanos());

        log.log("refused again");
        log.log("refused again");

        assertEquals(List.of("refused", "refused again (and 199 more since the previous such line)"), lines);
    }

    @Test
    void a_quiet_interval_starts_afresh() {
        log.log("one");
        nanos.addAndGet(Duration.ofMinutes(5).toNanos());

        log.log("two");

        assertEquals(List.of("one", "two"), lines);
    }
}
