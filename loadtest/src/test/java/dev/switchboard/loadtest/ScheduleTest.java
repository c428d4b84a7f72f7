package dev.switchboard.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ScheduleTest {

    @Test
    void uniform_arrivals_are_exactly_one_over_rate_apart_without_drift() {
        RequestSchedule schedule = new RequestSchedule(1_000, 3, Settings.Arrival.UNIFORM, 1);
        assertEquals(1_000, schedule.next());
        assertEquals(1_000 + 333_333_333, schedule.next());
        assertEquals(1_000 + 666_666_666, schedule.next());
        assertEquals(1_000 + 1_000_000_000, schedule.next());
    }

    @Test
    void poisson_arrivals_are_increasing_reproducible_and_average_one_over_rate() {
        RequestSchedule a = new RequestSchedule(0, 100, Settings.Arrival.POISSON, 42);
        RequestSchedule b = new RequestSchedule(0, 100, Settings.Arrival.POISSON, 42);
        long last = -1;
        long t = 0;
        for (int i = 0; i < 10_000; i++) {
            t = a.next();
            assertEquals(t, b.next());
            assertTrue(t >= last);
            last = t;
        }
        double meanGapMs = t / 10_000.0 / 1e6;
        assertTrue(meanGapMs > 9 && meanGapMs < 11, "mean gap " + meanGapMs + " ms");
    }

    @Test
    void the_slot_queue_keeps_order_while_it_grows_and_refuses_beyond_its_cap() {
        SlotQueue queue = new SlotQueue();
        for (int i = 0; i < 3; i++) {
            queue.offer(i);
        }
        assertEquals(0, queue.poll());
        for (int i = 3; i < 100; i++) {
            assertTrue(queue.offer(i));
        }
        for (int i = 1; i < 100; i++) {
            assertEquals(i, queue.poll());
        }
        assertTrue(queue.isEmpty());
        for (int i = 0; i < SlotQueue.MAX; i++) {
            assertTrue(queue.offer(i));
        }
        assertFalse(queue.offer(-1));
        assertEquals(SlotQueue.MAX, queue.clear());
        assertTrue(queue.isEmpty());
    }
}
