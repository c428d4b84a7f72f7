package dev.switchboard.simulator;

import java.util.List;
import java.util.Optional;

/**
 * A session's input audio buffer and its place on the session's audio clock. Audio bytes are not kept: only how
 * much audio the buffer holds, a fingerprint of it (which seeds the text of the committed item) and, with server
 * VAD on, the {@link VoiceActivityDetector} state.
 *
 * <p>Audio time is counted on the {@link AudioFormat#CLOCK_HZ} clock (exact for 24 kHz PCM and 8 kHz G.711, also
 * across format changes) from the session's first appended sample.
 *
 * <p>Not thread-safe: confined to the connection's {@link SerialExecutor}.
 */
final class InputAudioBuffer {

    /** The least audio a commit accepts. */
    static final long MIN_COMMIT_MS = 100;
    private static final int TICKS_PER_MS = AudioFormat.CLOCK_HZ / 1000;

    private final AudioFingerprint fingerprint = new AudioFingerprint();
    private long sessionTicks;
    private long bufferStartTicks;
    private Optional<VoiceActivityDetector> detector = Optional.empty();

    /**
     * Appends {@code audio} in {@code format}; with {@code turnDetection} on, runs server VAD over it (a changed
     * configuration starts a fresh detector) and returns the speech starts and stops it found.
     */
    List<VoiceActivityDetector.Event> append(byte[] audio, AudioFormat format,
            Optional<TurnDetection> turnDetection) {
        long startTicks = sessionTicks;
        sessionTicks += (long) format.samplesIn(audio.length) * format.clockTicksPerSample();
        fingerprint.update(audio, 0, audio.length);
        if (turnDetection.isEmpty()) {
            detector = Optional.empty();
            return List.of();
        }
        if (detector.isEmpty() || !detector.get().settings().equals(turnDetection.get())) {
            detector = Optional.of(new VoiceActivityDetector(turnDetection.get()));
        }
        return detector.get().accept(audio, format, startTicks, bufferStartTicks);
    }

    /** Milliseconds of audio in the buffer. */
    long bufferedMs() {
        return (sessionTicks - bufferStartTicks) / TICKS_PER_MS;
    }

    /** Whether server VAD is inside speech. */
    boolean speaking() {
        return detector.map(VoiceActivityDetector::speaking).orElse(false);
    }

    /** Empties the buffer into an untranscribed {@code input_audio} part of everything it held. */
    ContentPart commit() {
        ContentPart part = ContentPart.inputAudio(null, bufferedMs(), fingerprint.seedText());
        clear();
        return part;
    }

    /** Empties the buffer and forgets speech in progress. */
    void clear() {
        bufferStartTicks = sessionTicks;
        fingerprint.reset();
        detector.ifPresent(VoiceActivityDetector::resetSpeech);
    }
}
