package dev.switchboard.broker;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;

/** A clock tests move: the broker's hook records, audit records and usage days are stamped with it. Thread-safe. */
public final class MovableClock implements InstantSource {
    private final AtomicReference<Instant> now;

    public MovableClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    /** Moves the clock to {@code instant}. */
    public void set(Instant instant) {
        now.set(instant);
    }

    /** Moves the clock on by {@code by}. */
    public void advance(Duration by) {
        now.updateAndGet(at -> at.plus(by));
    }

    @Override
    public Instant instant() {
        return now.get();
    }
}
