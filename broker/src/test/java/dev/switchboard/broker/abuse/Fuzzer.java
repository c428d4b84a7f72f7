package dev.switchboard.broker.abuse;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded property runner, in place of a property-testing library: runs up to {@code tries} generated scripts (or
 * fewer when its time budget runs out), each from its own random source derived from the seed and the try number,
 * and on the first failure looks for a single frame of the script that fails alone (a bounded shrink) before
 * reporting {@code seed=S try=T}, the script and the cause.
 *
 * <p>Why not jqwik: it was the first choice, but its 1.10 engine prints a notice that AI agents must not use it, and
 * this suite was written by one; a seeded loop with a bounded shrink covers what the suite needs.
 *
 * <p>Reproduce: {@code -Dabuse.seed=S} reruns the same scripts; adding {@code -Dabuse.try=T} runs only try T.
 * {@code -Dabuse.tries=N} overrides the number of tries and {@code -Dabuse.budget=SECONDS} the time budget, for a
 * longer hunt than CI's.
 */
final class Fuzzer {
    private static final Duration SHRINK_BUDGET = Duration.ofSeconds(15);
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private final String name;
    private final long seed;
    private final int tries;
    private final int minTries;
    private final Duration budget;
    private final int onlyTry;

    /** Generates one try's script from its random source. */
    interface Scripts {
        List<Frame> script(SplittableRandom random);
    }

    /** Runs one script against the broker; throws {@link AssertionError} when an invariant breaks. */
    interface Trial {
        void run(List<Frame> script) throws Exception;
    }

    private Fuzzer(String name, long seed, int tries, int minTries, Duration budget, int onlyTry) {
        this.name = name;
        this.seed = seed;
        this.tries = tries;
        this.minTries = minTries;
        this.budget = budget;
        this.onlyTry = onlyTry;
    }

    /**
     * A runner for the property {@code name}, seeded from {@code -Dabuse.seed} or at random, which it prints so
     * that a passing run can be replayed too. A run in which fewer than {@code minTries} tries fit in the
     * {@code budget} fails: a broker that slow is a finding too.
     */
    static Fuzzer of(String name, int tries, int minTries, Duration budget) {
        String fixed = System.getProperty("abuse.seed");
        long seed = fixed == null || fixed.isBlank() ? new SecureRandom().nextLong() : Long.parseLong(fixed.trim());
        int count = Integer.getInteger("abuse.tries", tries);
        int only = Integer.getInteger("abuse.try", -1);
        Duration time = Duration.ofSeconds(Long.getLong("abuse.budget", budget.toSeconds()));
        System.out.printf("abuse: %s seed=%d tries=%d budget=%ds%s%n", name, seed, count, time.toSeconds(),
                only >= 0 ? " try=" + only : "");
        return new Fuzzer(name, seed, count, Math.min(minTries, count), time, only);
    }

    /** Runs the tries; returns how many ran. */
    int run(Scripts scripts, Trial trial) throws Exception {
        long deadline = System.nanoTime() + budget.toNanos();
        int ran = 0;
        for (int i = 0; i < tries && System.nanoTime() < deadline; i++) {
            if (onlyTry >= 0 && i != onlyTry) {
                continue;
            }
            List<Frame> script = scripts.script(randomFor(i));
            try {
                trial.run(script);
            } catch (AssertionError failure) {
                throw report(i, script, trial, failure);
            }
            ran++;
        }
        System.out.printf("abuse: %s seed=%d ran %d tries%n", name, seed, ran);
        if (onlyTry < 0 && ran < minTries) {
            throw new AssertionError(name + ": only " + ran + " tries ran within " + budget.toSeconds() + " s (seed="
                    + seed + ")");
        }
        return ran;
    }

    /** The random source of try {@code i}: a function of the seed and {@code i} only. */
    SplittableRandom randomFor(int i) {
        return new SplittableRandom(seed ^ (GOLDEN * (i + 1)));
    }

    private AssertionError report(int i, List<Frame> script, Trial trial, AssertionError failure) {
        StringBuilder out = new StringBuilder().append(name).append(" failed: seed=").append(seed).append(" try=")
                .append(i).append(" (rerun with -Dabuse.seed=").append(seed).append(" -Dabuse.try=").append(i)
                .append(")\nscript:");
        script.forEach(frame -> out.append("\n  ").append(frame.describe()).append("  -> expected ")
                .append(frame.expect()));
        shrink(script, trial).ifPresent(frame -> out.append("\nfails alone: ").append(frame.describe()));
        out.append("\ncause: ").append(failure.getMessage());
        return new AssertionError(out.toString(), failure);
    }

    /**
     * The first frame of a longer script that fails on its own, looked for within {@link #SHRINK_BUDGET}. Only frames
     * whose expected answer does not depend on the session's state are tried alone.
     */
    private static java.util.Optional<Frame> shrink(List<Frame> script, Trial trial) {
        if (script.size() < 2) {
            return java.util.Optional.empty();
        }
        long deadline = System.nanoTime() + SHRINK_BUDGET.toNanos();
        for (Frame frame : script) {
            Frame.Expect expect = frame.expect();
            if (System.nanoTime() > deadline) {
                break;
            }
            if (!expect.envelope() && !(expect.mayBeAccepted() && expect.mayBeRefused())) {
                continue;
            }
            try {
                trial.run(List.of(frame));
            } catch (AssertionError failedAlone) {
                return java.util.Optional.of(frame);
            } catch (Exception ignored) {
                // Not the same kind of failure; keep looking.
            }
        }
        return java.util.Optional.empty();
    }
}
