package dev.switchboard.loadtest;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/** What every voice session adds to; thread-safe. Latencies are recorded in microseconds. */
final class VoiceTotals {
    final LongAdder started = new LongAdder();
    final LongAdder completed = new LongAdder();
    final LongAdder bargeIns = new LongAdder();
    final LongAdder stale = new LongAdder();
    final LongAdder gaps = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder audioChars = new LongAdder();
    private final Map<String, Histogram> latencies = new TreeMap<>();

    VoiceTotals() {
        for (String kind : new String[] {"client", "speech"}) {
            latencies.put(kind, new ConcurrentHistogram(60_000_000L, 3));
        }
    }

    /** A barge-in of {@code kind} acknowledged {@code micros} after the interrupting frame was sent. */
    void bargeIn(String kind, long micros) {
        bargeIns.increment();
        latencies.get(kind).recordValue(Math.max(0, Math.min(micros, 60_000_000L)));
    }

    Map<String, Histogram> latencies() {
        return latencies;
    }
}
