package dev.switchboard.broker.guardrail;

import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The concurrency slots of the guardrails ({@code concurrent_sessions}, {@code concurrent_responses}) and what
 * keeps them exact across usage-store outages: releases that failed are queued and given back before the next
 * admission, and sessions an {@code open} tenant admitted without a slot are settled by closes instead of freeing
 * another session's slot. Thread-safe and non-blocking (concurrent queue and map, atomics).
 */
final class Slots {
    /**
     * Slot counters whose release failed because the store could not answer. A slot, unlike a rate, never comes
     * back by itself: dropping a failed release would shrink the tenant's concurrency for good (a tenant with
     * {@code concurrent_responses: 1} was locked out after one store outage during a response). They are given back
     * before the next admission, once the store answers again.
     */
    private final ConcurrentLinkedQueue<String> unreleased = new ConcurrentLinkedQueue<>();
    /**
     * Per session counter, the open sessions that hold no slot: an {@code open} tenant's sessions admitted while
     * the store failed. Their close must give no slot back, or it frees another session's and the cap is exceeded
     * (it was). Sessions of one counter are interchangeable, so the next close settles one of these instead.
     */
    private final ConcurrentHashMap<String, AtomicLong> slotless = new ConcurrentHashMap<>();

    private final UsageStore store;
    private final GuardrailMeters meters;

    Slots(UsageStore store, GuardrailMeters meters) {
        this.store = store;
        this.meters = meters;
    }

    void admittedWithoutSlot(String counter, OptionalLong limit) {
        if (limit.isPresent()) {
            slotless.computeIfAbsent(counter, c -> new AtomicLong()).incrementAndGet();
        }
    }

    /** Gives a session's slot back, unless this close settles a session that was admitted without one. */
    void releaseSession(String counter, OptionalLong limit) {
        AtomicLong owed = slotless.get(counter);
        if (owed != null && owed.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return;
        }
        release(counter, limit);
    }

    boolean acquire(String counter, OptionalLong limit) {
        return limit.isEmpty() || store.tryAcquire(counter, limit.getAsLong());
    }

    /**
     * Takes a slot of the key's counter after the tenant's was taken; when the key's is full or the store fails,
     * gives the tenant's slot back (a failure here used to keep it).
     */
    boolean acquireKeySlot(String keyCounter, OptionalLong keyLimit, String tenantCounter,
                                   OptionalLong tenantLimit) {
        boolean fits;
        try {
            fits = acquire(keyCounter, keyLimit);
        } catch (UsageStoreException e) {
            release(tenantCounter, tenantLimit);
            throw e;
        }
        if (!fits) {
            release(tenantCounter, tenantLimit);
        }
        return fits;
    }

    /** Gives a slot back; never throws: when the store fails, the release waits in {@link #unreleased}. */
    void release(String counter, OptionalLong limit) {
        if (limit.isPresent()) {
            try {
                store.release(counter);
            } catch (UsageStoreException e) {
                meters.storeFailed();
                unreleased.add(counter);
            }
        }
    }

    /**
     * Gives back the slots whose release failed, before new ones are taken (throws, leaving the rest queued, while
     * the store still fails). Each queued release is polled by one thread, so none is given back twice.
     */
    void retryReleases() {
        for (int n = unreleased.size(); n > 0; n--) {
            String counter = unreleased.poll();
            if (counter == null) {
                return;
            }
            try {
                store.release(counter);
            } catch (UsageStoreException e) {
                unreleased.add(counter);
                throw e;
            }
        }
    }
}
