package dev.switchboard.loadtest;

import dev.switchboard.loadtest.report.Summary;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Scenario-specific additions to the report, and warnings from anywhere in the run. Run thread only. */
final class ReportExtras {
    private final List<String> warnings = new ArrayList<>();
    private Optional<Summary.MemorySample> memory = Optional.empty();

    void warn(String warning) {
        warnings.add(warning);
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
