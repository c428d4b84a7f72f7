package dev.switchboard.broker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class OperatorLogTest {
    private final AtomicLong nanos = new AtomicLong(-5_000_000_000L);
    private final List<Runnable> written = new ArrayList<>();
    private final OperatorLog log = new OperatorLog(Duration.ofSeconds(10), nanos::get, written::add);

    @Test
    void one_line_per_key_and_interval_gets_through_and_the_rest_are_counted() {
        assertTrue(log.warn("p:timeout", "provider {} failed{}", "p"));
        for (int i = 0; i < 41; i++) {
            assertFalse(log.warn("p:timeout", "provider {} failed{}", "p"));
        }
        assertTrue(log.warn("q:timeout", "provider {} failed{}", "q"), "another key has its own window");
        nanos.addAndGet(Duration.ofSeconds(10).toNanos());
        assertTrue(log.warn("p:timeout", "provider {} failed{}", "p"), "a new interval lets the next line through");
        assertEquals(3, written.size(), "lines are handed to the output executor, not written on the caller");
    }
}
