package dev.switchboard.broker.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class CircuitBreakerTest {
    private final AtomicLong now = new AtomicLong();
    private final CircuitBreaker breaker = new CircuitBreaker(3, Duration.ofSeconds(10), now::get);

    @Test
    void it_opens_after_consecutive_failures_and_a_success_resets_the_count() {
        breaker.onFailure();
        breaker.onFailure();
        breaker.onSuccess();
        breaker.onFailure();
        breaker.onFailure();
        assertEquals(CircuitBreaker.State.CLOSED, breaker.state());
        breaker.onFailure();
        assertEquals(CircuitBreaker.State.OPEN, breaker.state());
        assertFalse(breaker.tryAcquire());
    }

    @Test
    void after_the_open_period_one_probe_is_admitted_and_its_success_closes_it() {
        tripOpen();
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        assertTrue(breaker.tryAcquire(), "the probe");
        assertEquals(CircuitBreaker.State.HALF_OPEN, breaker.state());
        assertFalse(breaker.tryAcquire(), "only one probe at a time");
        breaker.onSuccess();
        assertEquals(CircuitBreaker.State.CLOSED, breaker.state());
        assertTrue(breaker.tryAcquire());
    }

    @Test
    void a_failed_probe_opens_it_for_another_period() {
        tripOpen();
        now.addAndGet(Duration.ofSeconds(11).toNanos());
        assertTrue(breaker.tryAcquire());
        breaker.onFailure();
        assertEquals(CircuitBreaker.State.OPEN, breaker.state());
        now.addAndGet(Duration.ofSeconds(9).toNanos());
        assertFalse(breaker.tryAcquire());
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertTrue(breaker.tryAcquire());
    }

    @Test
    void a_neutral_end_releases_the_probe_slot() {
        tripOpen();
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        assertTrue(breaker.tryAcquire());
        breaker.onNeutral();
        assertTrue(breaker.tryAcquire());
    }

    private void tripOpen() {
        for (int i = 0; i < 3; i++) {
            assertTrue(breaker.tryAcquire());
            breaker.onFailure();
        }
        assertEquals(CircuitBreaker.State.OPEN, breaker.state());
    }

    @Test
    void the_first_probe_comes_after_probe_after_and_each_failed_probe_doubles_the_wait_up_to_open_for() {
        CircuitBreaker backoff = new CircuitBreaker(1, Duration.ofSeconds(1), Duration.ofSeconds(5), now::get,
                (from, to, cause) -> { });
        backoff.onFailure();
        long[] waits = {1, 2, 4, 5, 5};
        for (long wait : waits) {
            now.addAndGet(Duration.ofSeconds(wait).toNanos() - 1);
            assertFalse(backoff.tryAcquire(), "still open just before " + wait + " s");
            now.incrementAndGet();
            assertTrue(backoff.tryAcquire(), "a probe at " + wait + " s");
            backoff.onFailure();
        }
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        assertTrue(backoff.tryAcquire());
        backoff.onSuccess();
        assertEquals(Duration.ofSeconds(1), backoff.openTime(), "closing resets the wait");
    }
}
