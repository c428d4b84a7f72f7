package dev.switchboard.broker.guardrail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local store's GCRA, slots and spend counters, with time given explicitly (no clock, no waiting). */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class LocalUsageStoreTest {
    private static final long T0 = 1_780_000_000_000L;
    private final LocalUsageStore store = new LocalUsageStore();

    @Test
    void a_burst_of_the_whole_limit_passes_then_one_unit_per_interval() {
        for (int i = 0; i < 60; i++) {
            assertTrue(store.take("r", 60, 1, T0).admitted(), "request " + i);
        }
        UsageStore.RateState refused = store.take("r", 60, 1, T0);
        assertFalse(refused.admitted());
        assertEquals(1_000, refused.retryAfterMillis(), "60 a minute refills one a second");
        assertEquals(0, refused.remaining());
        assertFalse(store.take("r", 60, 1, T0 + 999).admitted());
        assertTrue(store.take("r", 60, 1, T0 + 1_000).admitted());
        assertFalse(store.take("r", 60, 1, T0 + 1_000).admitted(), "and only one");
    }

    @Test
    void a_full_minute_later_the_whole_limit_is_back_and_no_more() {
        for (int i = 0; i < 10; i++) {
            store.take("r", 10, 1, T0);
        }
        UsageStore.RateState later = store.take("r", 10, 1, T0 + 600_000);
        assertTrue(later.admitted());
        assertEquals(9, later.remaining(), "idle time does not bank more than the limit");
    }

    @Test
    void weighted_takes_refunds_and_charges_move_the_same_window() {
        assertTrue(store.take("t", 1_000, 900, T0).admitted());
        assertFalse(store.take("t", 1_000, 200, T0).admitted(), "900 + 200 > 1000");
        store.charge("t", 1_000, -500, T0);
        assertTrue(store.take("t", 1_000, 200, T0).admitted(), "after a refund of 500 it fits");
        store.charge("t", 1_000, 5_000, T0);
        UsageStore.RateState inDebt = store.take("t", 1_000, 1, T0);
        assertFalse(inDebt.admitted(), "metered usage beyond the limit is a debt that refuses until it is paid");
        assertTrue(inDebt.retryAfterMillis() > 60_000);
    }

    @Test
    void a_take_larger_than_the_whole_limit_is_refused_with_a_minute_to_wait() {
        UsageStore.RateState huge = store.take("t", 100, 101, T0);
        assertFalse(huge.admitted());
        assertEquals(60_000, huge.retryAfterMillis());
    }

    @Test
    void a_limit_beyond_a_unit_per_nanosecond_still_counts_instead_of_dividing_by_zero() {
        assertTrue(store.take("huge", 100_000_000_000L, 5, T0).admitted());
    }

    @Test
    void slots_are_taken_up_to_the_limit_and_given_back() {
        assertTrue(store.tryAcquire("s", 2));
        assertTrue(store.tryAcquire("s", 2));
        assertFalse(store.tryAcquire("s", 2));
        store.release("s");
        assertTrue(store.tryAcquire("s", 2));
        store.release("never-taken");
        assertTrue(store.tryAcquire("never-taken", 1), "a release without a take does not go below zero");
        assertFalse(store.tryAcquire("never-taken", 1));
    }

    @Test
    void rates_and_current_spend_survive_a_save_and_a_load(@TempDir Path dir) throws Exception {
        store.take("r", 2, 2, T0);
        store.add("b/acme/0/d2026-12-04", 40);
        store.add("b/acme/0/d2026-12-03", 7);
        Path file = dir.resolve("usage.json");
        store.save(file, key -> !key.endsWith("12-03"));
        LocalUsageStore restarted = new LocalUsageStore();
        restarted.load(file);
        assertEquals(40, restarted.get("b/acme/0/d2026-12-04"));
        assertEquals(0, restarted.get("b/acme/0/d2026-12-03"), "a past period's spend is dropped");
        assertFalse(restarted.take("r", 2, 1, T0).admitted(), "the minute's requests are remembered");
        restarted.load(dir.resolve("missing.json"));
    }
}
