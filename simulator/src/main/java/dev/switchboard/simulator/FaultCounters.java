package dev.switchboard.simulator;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Arrival counters for {@code fail_first}: one per distinct spec string, so a faulty "provider" can flap for its
 * first N requests and then recover while other spec paths keep their own counts. Only specs that use
 * {@code fail_first} get a counter; the map lives as long as the simulator. Thread-safe.
 */
final class FaultCounters {

    private final ConcurrentMap<String, AtomicLong> arrivals = new ConcurrentHashMap<>();

    /**
     * Counts one arrival on {@code profile}'s spec path and returns the faults that apply to it: the profile
     * itself while the path is within its {@code fail_first} budget (or has none), {@link FaultProfile#NONE} after.
     */
    FaultProfile admit(FaultProfile profile) {
        if (profile.failFirst().isEmpty()) {
            return profile;
        }
        long arrival = arrivals.computeIfAbsent(profile.spec(), spec -> new AtomicLong()).getAndIncrement();
        return arrival < profile.failFirst().getAsLong() ? profile : FaultProfile.NONE;
    }
}
