package dev.switchboard.simulator;

import java.time.InstantSource;
import java.util.Objects;

/**
 * The shared services every endpoint of one simulator uses. All members are thread-safe.
 *
 * @param scheduler paces streamed tokens and delays replies
 * @param stats     the simulator's counters
 * @param inFlight  responses still owed, aborted on close
 * @param clock     wall clock for {@code created} timestamps (pacing uses {@link System#nanoTime()})
 */
record SimulatorRuntime(PacingScheduler scheduler, SimulatorStats stats, InFlight inFlight, InstantSource clock) {

    SimulatorRuntime {
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(stats, "stats");
        Objects.requireNonNull(inFlight, "inFlight");
        Objects.requireNonNull(clock, "clock");
    }

    long nowEpochSeconds() {
        return clock.instant().getEpochSecond();
    }
}
