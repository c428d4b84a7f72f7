package dev.switchboard.loadtest;

import dev.switchboard.loadtest.report.Summary;
import dev.switchboard.loadtest.report.VoiceHtmlReport;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.HdrHistogram.Histogram;

/**
 * The voice run's per-second timeline: events, barge-ins acknowledged and the broker's CPU in each second. Run
 * thread only; the sessions and totals it reads are thread-safe.
 */
final class VoiceSeconds {
    private final VoiceTotals totals;
    private final List<VoiceSession> sessions;
    private final Optional<ProcCpu> cpu;
    private final long startNanos;
    private final List<VoiceHtmlReport.Second> timeline = new ArrayList<>();
    private long lastEvents;
    private long lastNanos;
    private Optional<ProcCpu.Reading> lastCpu = Optional.empty();
    private Histogram interval;

    VoiceSeconds(VoiceTotals totals, List<VoiceSession> sessions, Optional<ProcCpu> cpu, long startNanos) {
        this.totals = totals;
        this.sessions = sessions;
        this.cpu = cpu;
        this.startNanos = startNanos;
        this.lastNanos = startNanos;
        this.lastCpu = cpu.flatMap(VoiceSeconds::read);
    }

    private static Optional<ProcCpu.Reading> read(ProcCpu meter) {
        try {
            return Optional.of(meter.read());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Closes the second that ends now. */
    void sample() {
        long now = System.nanoTime();
        long events = totals.events.sum();
        double seconds = Math.max(1e-3, (now - lastNanos) / 1e9);
        interval = totals.interval.getIntervalHistogram(interval);
        Summary.Window bargeIn = interval.getTotalCount() == 0 ? Summary.Window.EMPTY : new Summary.Window(
                interval.getTotalCount(), interval.getValueAtPercentile(50) / 1e3,
                interval.getValueAtPercentile(99) / 1e3, interval.getMaxValue() / 1e3);
        Optional<ProcCpu.Reading> reading = cpu.flatMap(VoiceSeconds::read);
        double cpuPercent = reading.isPresent() && lastCpu.isPresent()
                ? ProcCpu.between(lastCpu.get(), reading.get(), 0, java.util.OptionalInt.empty()).utilisation() * 100
                : -1;
        long connected = sessions.stream().filter(VoiceSession::connected).count();
        timeline.add(new VoiceHtmlReport.Second((now - startNanos) / 1e9, connected, (events - lastEvents) / seconds,
                bargeIn, cpuPercent));
        lastEvents = events;
        lastNanos = now;
        lastCpu = reading;
    }

    List<VoiceHtmlReport.Second> timeline() {
        return List.copyOf(timeline);
    }
}
