package dev.switchboard.simulator;

import java.util.ArrayList;
import java.util.List;

/**
 * Energy-based server VAD over appended input audio, in audio time (milliseconds of audio appended in the
 * session), so it is deterministic and independent of the wall clock and of how the audio was chunked.
 *
 * <p>The audio is cut into {@value #FRAME_MS} ms frames. A frame is speech when its RMS level is at least
 * {@code −60 + 50 × threshold} dBFS: threshold 0 is −60 dBFS (RMS 0.001 of full scale), the default 0.5 is
 * −35 dBFS (0.018), 1 is −10 dBFS (0.32). The first speech frame starts speech, reported at its start minus
 * {@code prefix_padding_ms} (never before the buffer's start); a run of silent frames lasting
 * {@code silence_duration_ms} stops it, reported at the end of the run.
 *
 * <p>Not thread-safe: confined to the connection's {@link SerialExecutor}.
 */
final class VoiceActivityDetector {

    static final int FRAME_MS = 10;
    static final double MIN_LEVEL_DBFS = -60;
    static final double LEVEL_SPAN_DB = 50;
    private static final int TICKS_PER_MS = AudioFormat.CLOCK_HZ / 1000;

    /** A change of state found in appended audio. */
    sealed interface Event permits SpeechStarted, SpeechStopped {
    }

    /** @param audioStartMs where speech starts, including the prefix padding */
    record SpeechStarted(long audioStartMs) implements Event {
    }

    /** @param audioEndMs where speech ends, including the silence that ended it */
    record SpeechStopped(long audioEndMs) implements Event {
    }

    private final TurnDetection settings;
    private final double speechRms;
    private AudioFormat frameFormat = AudioFormat.PCM;
    private double frameSumSquares;
    private int frameSamples;
    private boolean speaking;
    private long silenceMs;
    /** Where the last speech stopped: a new start is never reported before it. */
    private long lastStopMs;

    VoiceActivityDetector(TurnDetection settings) {
        this.settings = settings;
        this.speechRms = levelRms(settings.threshold());
    }

    /** The RMS, as a fraction of full scale, from which a frame counts as speech. */
    static double levelRms(double threshold) {
        return Math.pow(10, (MIN_LEVEL_DBFS + LEVEL_SPAN_DB * threshold) / 20);
    }

    TurnDetection settings() {
        return settings;
    }

    boolean speaking() {
        return speaking;
    }

    /**
     * Runs over {@code audio} in {@code format}, whose first sample is at {@code startTicks} of the
     * {@link AudioFormat#CLOCK_HZ} audio clock; {@code bufferStartTicks} is where the current input buffer began.
     * Returns the speech starts and stops found, in order.
     */
    List<Event> accept(byte[] audio, AudioFormat format, long startTicks, long bufferStartTicks) {
        if (format != frameFormat) {
            // A new format starts a new frame; a partial frame of the old one is dropped.
            frameFormat = format;
            frameSumSquares = 0;
            frameSamples = 0;
        }
        List<Event> events = new ArrayList<>(0);
        int samplesPerFrame = format.sampleRate() / (1000 / FRAME_MS);
        int count = format.samplesIn(audio.length);
        for (int i = 0; i < count; i++) {
            double sample = format.sample(audio, i) / 32_768d;
            frameSumSquares += sample * sample;
            if (++frameSamples == samplesPerFrame) {
                long frameEndTicks = startTicks + (long) (i + 1) * format.clockTicksPerSample();
                onFrame(Math.sqrt(frameSumSquares / samplesPerFrame) >= speechRms, frameEndTicks / TICKS_PER_MS,
                        bufferStartTicks / TICKS_PER_MS, events);
                frameSumSquares = 0;
                frameSamples = 0;
            }
        }
        return events;
    }

    /** Forgets any speech in progress (the buffer was committed or cleared); the partial frame stays. */
    void resetSpeech() {
        speaking = false;
        silenceMs = 0;
    }

    private void onFrame(boolean speech, long frameEndMs, long bufferStartMs, List<Event> events) {
        if (!speaking) {
            if (speech) {
                speaking = true;
                silenceMs = 0;
                long frameStartMs = frameEndMs - FRAME_MS;
                long floorMs = Math.max(bufferStartMs, lastStopMs);
                events.add(new SpeechStarted(Math.max(floorMs, frameStartMs - settings.prefixPaddingMs())));
            }
            return;
        }
        silenceMs = speech ? 0 : silenceMs + FRAME_MS;
        if (!speech && silenceMs >= settings.silenceDurationMs()) {
            speaking = false;
            silenceMs = 0;
            lastStopMs = frameEndMs;
            events.add(new SpeechStopped(frameEndMs));
        }
    }
}
