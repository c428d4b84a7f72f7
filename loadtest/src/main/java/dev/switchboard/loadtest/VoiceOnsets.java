package dev.switchboard.loadtest;

import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Speech onset latency of the broker's VAD ({@code switchboard.speech_started}) and the provider's
 * ({@code input_audio_buffer.speech_started}) on the same utterances, and which came first. Thread-safe: sessions
 * add finished utterances from Jetty threads and the audio clock; the run reads at the end.
 *
 * <p>Two clocks per detector: wall (from sending the append that holds the utterance's first speech sample to the
 * event's arrival, microseconds) and audio (milliseconds of audio the session had sent when the event arrived,
 * minus the onset's audio position: whole appends, so a multiple of 100 ms less the onset's place in its append).
 * The broker's event also says where in the audio it decided ({@code audio_detected_ms}).
 */
final class VoiceOnsets {
    /** One detector's view of an utterance; {@code seq} -1 when it never reported it. */
    record Detection(long seq, long wallMicros, long audioMs) {
        static final Detection NONE = new Detection(-1, 0, 0);

        boolean seen() {
            return seq >= 0;
        }
    }

    /**
     * One utterance of a session with both detectors listening.
     *
     * @param broker the broker's {@code switchboard.speech_started}
     * @param provider the provider's {@code input_audio_buffer.speech_started}
     * @param brokerDecidedMs the broker's {@code audio_detected_ms} minus the onset, or -1
     */
    record Utterance(Detection broker, Detection provider, long brokerDecidedMs) {
    }

    private static final long MAX_MICROS = 60_000_000L;
    final Histogram brokerWall = new ConcurrentHistogram(MAX_MICROS, 3);
    final Histogram providerWall = new ConcurrentHistogram(MAX_MICROS, 3);
    final Histogram brokerAudio = new ConcurrentHistogram(MAX_MICROS, 3);
    final Histogram providerAudio = new ConcurrentHistogram(MAX_MICROS, 3);
    final Histogram brokerDecided = new ConcurrentHistogram(MAX_MICROS, 3);
    final LongAdder utterances = new LongAdder();
    final LongAdder brokerFirst = new LongAdder();
    final LongAdder providerFirst = new LongAdder();
    final LongAdder brokerMissed = new LongAdder();
    final LongAdder providerMissed = new LongAdder();

    /** Adds a finished utterance. */
    void add(Utterance u) {
        utterances.increment();
        if (u.broker().seen()) {
            brokerWall.recordValue(clamp(u.broker().wallMicros()));
            brokerAudio.recordValue(clamp(u.broker().audioMs()));
            if (u.brokerDecidedMs() >= 0) {
                brokerDecided.recordValue(clamp(u.brokerDecidedMs()));
            }
        } else {
            brokerMissed.increment();
        }
        if (u.provider().seen()) {
            providerWall.recordValue(clamp(u.provider().wallMicros()));
            providerAudio.recordValue(clamp(u.provider().audioMs()));
        } else {
            providerMissed.increment();
        }
        if (firstIsBroker(u)) {
            brokerFirst.increment();
        } else if (u.provider().seen()) {
            providerFirst.increment();
        }
    }

    /** Whether the broker's event came first: the lower seq on the one connection, or the only one. */
    static boolean firstIsBroker(Utterance u) {
        return u.broker().seen() && (!u.provider().seen() || u.broker().seq() < u.provider().seq());
    }

    private static long clamp(long value) {
        return Math.max(0, Math.min(value, MAX_MICROS));
    }
}
