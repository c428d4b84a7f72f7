package dev.switchboard.broker.abuse;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The heap bound after abuse. The broker runs in the test JVM, so its {@code /metrics} heap gauge counts the test's
 * objects too; the bound is therefore generous and relative to a baseline taken (after a GC) before the abuse.
 *
 * <p>What may legitimately stay: the replay logs' {@code BlockPool} keeps up to 4,096 idle 16 KiB blocks (64 MiB)
 * for reuse, plus meters and warmed-up Jetty buffers. Everything a fuzz session held (its conversation with up to
 * 1 MiB items, its replay log, pending frames) must be collectable once the session has ended. So: baseline plus
 * 64 MiB of pool plus 32 MiB of slack.
 */
final class HeapCheck {
    /** Pooled replay blocks (4,096 × 16 KiB) plus 32 MiB of slack for buffers, meters and the test's own objects. */
    static final long ALLOWED_GROWTH_BYTES = (64L + 32L) << 20;
    private static final Duration MAX_WAIT = Duration.ofSeconds(15);

    private HeapCheck() {
    }

    /** The used heap right after a requested full GC. */
    static long usedAfterGc(AbuseBroker broker) throws Exception {
        System.gc();
        return broker.usedHeapBytes();
    }

    /**
     * Waits (bounded, collecting on each poll) until the used heap is at most {@code baseline} plus
     * {@link #ALLOWED_GROWTH_BYTES}; fails with the numbers otherwise.
     */
    static void assertBounded(AbuseBroker broker, long baseline) {
        AtomicLong last = new AtomicLong();
        try {
            await().atMost(MAX_WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
                last.set(usedAfterGc(broker));
                return last.get() <= baseline + ALLOWED_GROWTH_BYTES;
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("heap after GC is " + mib(last.get()) + " MiB, more than the baseline "
                    + mib(baseline) + " MiB + " + mib(ALLOWED_GROWTH_BYTES) + " MiB", e);
        }
        System.out.printf("abuse: heap after GC %d MiB (baseline %d MiB, bound +%d MiB)%n", mib(last.get()),
                mib(baseline), mib(ALLOWED_GROWTH_BYTES));
    }

    private static long mib(long bytes) {
        return bytes >> 20;
    }
}
