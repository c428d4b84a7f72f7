package dev.switchboard.loadtest;

import java.util.SplittableRandom;

/**
 * The open workload's intended send times: a sequence fixed by the settings and the seed alone, so it cannot
 * bend to how fast the broker answers. Uniform spacing puts request {@code k} at {@code start + k/rate}
 * (computed from {@code k}, so rounding never drifts); Poisson draws exponential gaps with mean {@code 1/rate}.
 * Not thread-safe: the scheduler thread owns it.
 */
final class RequestSchedule {
    private final long startNanos;
    private final double rate;
    private final boolean poisson;
    private final SplittableRandom random;
    private long k;
    private double poissonOffsetNanos;

    RequestSchedule(long startNanos, double ratePerSecond, Settings.Arrival arrival, long seed) {
        this.startNanos = startNanos;
        this.rate = ratePerSecond;
        this.poisson = arrival == Settings.Arrival.POISSON;
        this.random = new SplittableRandom(seed);
    }

    /** The next intended send time, {@link System#nanoTime()} based; strictly increasing for uniform arrival. */
    long next() {
        if (poisson) {
            // Inverse transform of an exponential: -ln(1 - u) / rate, u in [0, 1).
            poissonOffsetNanos += -Math.log(1 - random.nextDouble()) / rate * 1e9;
            return startNanos + (long) poissonOffsetNanos;
        }
        return startNanos + (long) (k++ * 1e9 / rate);
    }
}
