package dev.switchboard.loadtest;

import dev.switchboard.loadtest.report.ClusterStats;
import dev.switchboard.loadtest.report.Summary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Scenario-specific additions to the report, warnings from anywhere in the run, and errors a scenario finds only
 * when the run is over (they fail the run like any other error). Run thread only.
 */
final class ReportExtras {
    private final List<String> warnings = new ArrayList<>();
    private final Map<String, Long> errors = new LinkedHashMap<>();
    private final Map<String, String> errorSamples = new LinkedHashMap<>();
    private Optional<Summary.MemorySample> memory = Optional.empty();
    private Optional<Summary.ResumeStats> resume = Optional.empty();
    private Optional<Summary.SlowConsumerStats> slowConsumer = Optional.empty();
    private Optional<ClusterStats> cluster = Optional.empty();

    void warn(String warning) {
        warnings.add(warning);
    }

    /** Counts {@code count} errors under {@code code}, with {@code sample} as the report's message for it. */
    void error(String code, long count, String sample) {
        errors.merge(code, count, Long::sum);
        errorSamples.putIfAbsent(code, sample);
    }

    Map<String, Long> errors() {
        return Map.copyOf(errors);
    }

    Map<String, String> errorSamples() {
        return Map.copyOf(errorSamples);
    }

    void resume(Summary.ResumeStats stats) {
        resume = Optional.of(stats);
    }

    Optional<Summary.ResumeStats> resume() {
        return resume;
    }

    void slowConsumer(Summary.SlowConsumerStats stats) {
        slowConsumer = Optional.of(stats);
    }

    Optional<Summary.SlowConsumerStats> slowConsumer() {
        return slowConsumer;
    }

    void cluster(ClusterStats stats) {
        cluster = Optional.of(stats);
    }

    Optional<ClusterStats> cluster() {
        return cluster;
    }

    void memory(Summary.MemorySample sample) {
        memory = Optional.of(sample);
    }

    List<String> warnings() {
        return List.copyOf(warnings);
    }

    Optional<Summary.MemorySample> memory() {
        return memory;
    }
}
