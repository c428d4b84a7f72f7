package dev.switchboard.loadtest;

import java.util.List;
import java.util.SplittableRandom;

/** The scenario registry: names for {@code --scenario} and their factories. */
final class Scenarios {
    private static final List<String> NAMES = List.of("chat", "cancel", "idle", "resume", "slow-consumer", "voice",
            "guardrail", "cluster");

    private Scenarios() {
    }

    /** Every scenario name, in {@code --help} order. */
    static List<String> names() {
        return NAMES;
    }

    /** A fresh scenario for one run; {@code settings.scenario()} is one of {@link #names()}. */
    static Scenario create(Settings settings) {
        return switch (settings.scenario()) {
            case "chat" -> new Chat();
            case "cancel" -> new Cancel(settings.cancelMin(), settings.cancelMax());
            case "idle" -> new IdleScenario(settings);
            case "resume" -> new ResumeScenario(settings);
            case "slow-consumer" -> new SlowConsumerScenario(settings);
            case "guardrail" -> new Guardrail();
            case "cluster" -> new ClusterScenario(settings);
            default -> throw new IllegalArgumentException("unknown scenario " + settings.scenario());
        };
    }

    /** Each session sends a message and {@code response.create}, reads the stream to the end, repeats. */
    static final class Chat implements Scenario {
        @Override
        public String name() {
            return "chat";
        }

        @Override
        public boolean sendsRequests() {
            return true;
        }
    }

    /**
     * Like chat, but cancels each response after a uniformly random number of deltas in {@code [min, max]}.
     * Cancel acknowledgement is measured from sending {@code response.cancel} to {@code response.done} with status
     * {@code cancelled}; a delta of that response after its {@code response.done} is the error
     * {@code stale_delta_after_done} (checked for every scenario).
     */
    static final class Cancel implements Scenario {
        private final int min;
        private final int max;

        Cancel(int min, int max) {
            this.min = min;
            this.max = max;
        }

        @Override
        public String name() {
            return "cancel";
        }

        @Override
        public boolean sendsRequests() {
            return true;
        }

        @Override
        public int cancelAfterDeltas(SplittableRandom random) {
            return min + random.nextInt(max - min + 1);
        }
    }

    /**
     * The chat workload aimed at a tenant with guardrails (a small {@code requests_per_minute}, a budget), kept up
     * while the broker refuses: each refused {@code response.create} ends its request like a completed one (the
     * next follows after the think time, or at the next open-workload slot; {@code retry_after_ms} is not
     * honoured), so the offered load stays above the limit and the broker's enforcement runs under load. Refusals
     * and budget cuts are counted apart from errors and timed as {@code refusal_ms}.
     */
    static final class Guardrail implements Scenario {
        @Override
        public String name() {
            return "guardrail";
        }

        @Override
        public boolean sendsRequests() {
            return true;
        }

        @Override
        public boolean expectsRefusals() {
            return true;
        }
    }
}
