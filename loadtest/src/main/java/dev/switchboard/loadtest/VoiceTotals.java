package dev.switchboard.loadtest;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What every voice session adds to; thread-safe. Latencies are recorded in microseconds. {@link #interval} holds
 * the barge-ins since the run thread last took it, for the per-second timeline.
 */
final class VoiceTotals {
    private static final long MAX_MICROS = 60_000_000L;
    final LongAdder started = new LongAdder();
    final LongAdder completed = new LongAdder();
    final LongAdder bargeIns = new LongAdder();
    final LongAdder stale = new LongAdder();
    final LongAdder gaps = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder audioChars = new LongAdder();
    final LongAdder events = new LongAdder();
    final VoiceOnsets onsets = new VoiceOnsets();
    final Recorder interval = new Recorder(MAX_MICROS, 3);
    private final Map<String, Histogram> latencies = new TreeMap<>();

    VoiceTotals() {
        for (String kind : Settings.BARGE_KINDS) {
            latencies.put(kind, new ConcurrentHistogram(MAX_MICROS, 3));
        }
    }

    /** A barge-in of {@code kind} acknowledged {@code micros} after the interrupting frame was sent. */
    void bargeIn(String kind, long micros) {
        bargeIns.increment();
        long value = Math.max(0, Math.min(micros, MAX_MICROS));
        latencies.get(kind).recordValue(value);
        interval.recordValue(value);
    }

    Map<String, Histogram> latencies() {
        return latencies;
    }
}
