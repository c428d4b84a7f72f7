package dev.switchboard.loadtest;

import dev.switchboard.loadtest.report.Summary;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.HdrHistogram.Recorder;

/**
 * Once a second, moves every recorder's interval histogram into its running total, appends a timeline point
 * and prints the progress line. Confined to one thread at a time: the scheduler thread during the run, then the
 * run thread for the final harvest after the scheduler has terminated (which orders the two).
 */
final class Harvester {
    /** Percentile curve resolution: HdrHistogram ticks per half distance to 100%. */
    private static final int CURVE_TICKS = 5;

    private final RunContext run;
    private final Measurements m;
    private final PrintStream out;
    private final Map<String, Track> tracks = new LinkedHashMap<>();
    private final List<Summary.TimelinePoint> timeline = new ArrayList<>();
    private long lastNanos;
    private long lastEvents;
    private long lastResponses;
    private long lastErrors;

    /** A recorder, its recycled interval histogram and its running total. */
    private static final class Track {
        final Recorder recorder;
        Histogram interval;
        final Histogram total = new Histogram(Measurements.MAX_MICROS, 3);

        Track(Recorder recorder) {
            this.recorder = recorder;
            this.interval = recorder.getIntervalHistogram();
        }

        Histogram harvest() {
            interval = recorder.getIntervalHistogram(interval);
            total.add(interval);
            return interval;
        }
    }

    Harvester(RunContext run, PrintStream out) {
        this.run = run;
        this.m = run.measurements();
        this.out = out;
        this.lastNanos = run.startNanos();
        tracks.put(Summary.CONNECT, new Track(m.connect));
        tracks.put(Summary.TTFT, new Track(m.ttft));
        tracks.put(Summary.BROKER_TTFT, new Track(m.brokerTtft));
        tracks.put(Summary.INTER_DELTA, new Track(m.interDelta));
        tracks.put(Summary.BROKER_DELTA, new Track(m.brokerDelta));
        tracks.put(Summary.CANCEL_ACK, new Track(m.cancelAck));
        tracks.put(Summary.SEND_LAG, new Track(m.sendLag));
        if (run.scenario().resumePlan().isPresent()) {
            tracks.put(Summary.RESUME, new Track(m.resume));
            tracks.put(Summary.REPLAY, new Track(m.replay));
            tracks.put(Summary.REPLAY_BACKLOG, new Track(m.replayBacklog));
            tracks.put(Summary.DROP_TO_RESUMED, new Track(m.dropToResumed));
            tracks.put(Summary.DROP_TO_FIRST_EVENT, new Track(m.dropToFirstEvent));
        }
        if (run.scenario().expectsRefusals()) {
            tracks.put(Summary.REFUSAL, new Track(m.refusal));
        }
    }

    /** Harvests one window ending now and prints the progress line when {@code print}. */
    void harvest(boolean print) {
        long now = System.nanoTime();
        Map<String, Histogram> windows = new LinkedHashMap<>();
        tracks.forEach((name, track) -> windows.put(name, track.harvest()));
        double seconds = Math.max(1e-9, (now - lastNanos) / 1e9);
        long events = m.events.sum();
        long responses = responses();
        long errors = m.errorTotal.sum();
        timeline.add(new Summary.TimelinePoint((now - run.startNanos()) / 1e9, m.sessionsOpen.get(),
                (events - lastEvents) / seconds, responses - lastResponses, errors - lastErrors,
                window(windows.get(Summary.TTFT)), window(windows.get(Summary.INTER_DELTA)),
                window(windows.get(Summary.BROKER_TTFT))));
        if (print) {
            printProgress(now, (events - lastEvents) / seconds, responses, errors);
        }
        lastNanos = now;
        lastEvents = events;
        lastResponses = responses;
        lastErrors = errors;
    }

    List<Summary.TimelinePoint> timeline() {
        return List.copyOf(timeline);
    }

    /** The accumulated distribution of every latency, in milliseconds. */
    Map<String, Summary.LatencyStats> latencies() {
        Map<String, Summary.LatencyStats> out = new LinkedHashMap<>();
        tracks.forEach((name, track) -> out.put(name, stats(track.total)));
        return out;
    }

    private long responses() {
        return m.completed.sum() + m.cancelled.sum() + m.failed.sum() + m.incomplete.sum();
    }

    private void printProgress(long now, double eventsPerSecond, long responses, long errors) {
        Histogram ttft = tracks.get(Summary.TTFT).total;
        String ttftText = ttft.getTotalCount() == 0 ? "-" : String.format(Locale.ROOT, "p50 %.1f ms p99 %.1f ms",
                ttft.getValueAtPercentile(50) / 1e3, ttft.getValueAtPercentile(99) / 1e3);
        long gaps = m.seqGaps.sum() + m.seqDuplicates.sum();
        long refused = m.refusedRateLimit.sum() + m.refusedQuota.sum();
        out.printf(Locale.ROOT, "[%6.1fs] sessions %d/%d  responses %,d  in-flight %d  events %,.0f/s  ttft %s  "
                        + "%serrors %,d%s%n", (now - run.startNanos()) / 1e9, m.sessionsOpen.get(),
                run.settings().sessions(), responses, run.inFlight().get(), eventsPerSecond, ttftText,
                refused == 0 ? "" : String.format(Locale.ROOT, "refused %,d  ", refused), errors,
                gaps == 0 ? "" : String.format(Locale.ROOT, "  SEQ PROBLEMS %,d", gaps));
        out.flush();
    }

    private static Summary.Window window(Histogram h) {
        if (h.getTotalCount() == 0) {
            return Summary.Window.EMPTY;
        }
        return new Summary.Window(h.getTotalCount(), ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(99)),
                ms(h.getMaxValue()));
    }

    static Summary.LatencyStats stats(Histogram h) {
        if (h.getTotalCount() == 0) {
            return Summary.LatencyStats.EMPTY;
        }
        List<Summary.PercentilePoint> curve = new ArrayList<>();
        for (HistogramIterationValue v : h.percentiles(CURVE_TICKS)) {
            curve.add(new Summary.PercentilePoint(v.getPercentileLevelIteratedTo(), ms(v.getValueIteratedTo())));
        }
        return new Summary.LatencyStats(h.getTotalCount(), h.getMean() / 1e3, ms(h.getValueAtPercentile(50)),
                ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)),
                ms(h.getMaxValue()), curve);
    }

    private static double ms(long micros) {
        return micros / 1e3;
    }
}
