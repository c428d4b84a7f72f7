package dev.switchboard.broker.session;

/**
 * The broker's own voice-activity detector: energy of the caller's input audio, so a response can be cut the
 * moment the caller starts speaking, before the provider's VAD (which sits behind a network hop and its own
 * buffering) reports it.
 *
 * <p>Design (issue 12): the level is the mean energy of a {@value #WINDOW_MS} ms window, the frame an energy VAD
 * such as the simulator's uses, but the window slides in {@value #STEP_TENTHS_MS}/10 ms steps instead of jumping a
 * whole frame. A window is loud when its RMS is at least {@code -60 + 50 × threshold} dBFS (threshold 0.5 →
 * −35 dBFS, the provider simulator's scale). Speech starts once loud windows cover {@code minSpeechMs} (at least
 * one window); it ends after {@code silenceMs} of quiet windows (the hangover). Because every frame a provider's
 * 10 ms frame detector can see is one of these windows, at the same threshold and with {@code minSpeechMs} of
 * 10 the broker decides at the same audio position as such a detector or up to 7.5 ms earlier, never later, and
 * since the broker looks at an append before forwarding it, its event reaches the client first.
 *
 * <p>Reported positions are audio time (milliseconds of audio appended since this detector started), so the result
 * does not depend on how the client chunks its audio or on the wall clock. The onset is the start of the first
 * step in the first loud window that is loud on its own: where the speech begins, without the provider's
 * {@code prefix_padding_ms}.
 *
 * <p>Trade-off: energy detection cannot tell the caller from the assistant's own voice leaking back into the
 * microphone, and a click of a few milliseconds that fills a 10 ms window to the threshold counts as speech (as it
 * does for the provider's energy VAD). Raise the threshold or {@code minSpeechMs} for noisy lines, at the cost of
 * the lead over the provider, or keep the broker VAD off for speakerphone clients.
 *
 * <p>Not thread-safe: confined to the session's shard thread.
 */
final class BrokerVad {
    /** The level window, milliseconds. */
    static final int WINDOW_MS = 10;
    /** The step the window slides by, in tenths of a millisecond (2.5 ms). */
    static final int STEP_TENTHS_MS = 25;
    private static final int STEPS_PER_WINDOW = WINDOW_MS * 10 / STEP_TENTHS_MS;

    /** Sample formats of {@code audio.input.format.type}. */
    enum Format {
        /** PCM16 little-endian, 24 kHz. */
        PCM16_24K(24_000, 2),
        /** G.711 μ-law, 8 kHz. */
        PCMU(8_000, 1),
        /** G.711 A-law, 8 kHz. */
        PCMA(8_000, 1);

        final int rate;
        final int bytesPerSample;

        Format(int rate, int bytesPerSample) {
            this.rate = rate;
            this.bytesPerSample = bytesPerSample;
        }

        /** Samples in one step. */
        int stepSamples() {
            return rate * STEP_TENTHS_MS / 10_000;
        }

        static Format of(String type) {
            return switch (type) {
                case "audio/pcmu" -> PCMU;
                case "audio/pcma" -> PCMA;
                default -> PCM16_24K;
            };
        }
    }

    private final double loudMeanSquare;
    private final int runToStart;
    private final int quietToStop;
    /** Mean squares of the last {@link #STEPS_PER_WINDOW} steps, a ring indexed by step number. */
    private final double[] stepLevels = new double[STEPS_PER_WINDOW];
    private Format format = Format.PCM16_24K;
    private double sumSquares;
    private int samplesInStep;
    private long stepsSeen;
    private int loudRun;
    private long runOnsetStep;
    private int quietRun;
    private boolean speaking;
    private long detectedMs = -1;

    /**
     * @param threshold 0–1, as the Realtime {@code server_vad} threshold
     * @param minSpeechMs loud audio needed before speech counts as started (a window, 10 ms, at least)
     * @param silenceMs quiet audio that ends speech
     */
    BrokerVad(double threshold, int minSpeechMs, int silenceMs) {
        double dbfs = -60 + 50 * Math.max(0, Math.min(1, threshold));
        double loudRms = Math.pow(10, dbfs / 20);
        this.loudMeanSquare = loudRms * loudRms;
        // Loud windows ending at n consecutive steps cover one window plus n - 1 steps of audio.
        this.runToStart = Math.max(1, steps(minSpeechMs) - STEPS_PER_WINDOW + 1);
        this.quietToStop = Math.max(1, steps(silenceMs));
    }

    private static int steps(int ms) {
        return (ms * 10 + STEP_TENTHS_MS - 1) / STEP_TENTHS_MS;
    }

    void format(Format newFormat) {
        if (newFormat != format) {
            // A partial step of the old format is dropped: its samples have another duration.
            sumSquares = 0;
            samplesInStep = 0;
        }
        this.format = newFormat;
    }

    /**
     * Feeds decoded audio bytes.
     *
     * @return the audio time (ms) at which speech started, if it started within this chunk, else -1
     */
    long feed(byte[] audio) {
        long started = -1;
        int stepSamples = format.stepSamples();
        for (int i = 0; i + format.bytesPerSample <= audio.length; i += format.bytesPerSample) {
            double sample = switch (format) {
                case PCM16_24K -> (short) ((audio[i] & 0xff) | (audio[i + 1] << 8)) / 32768.0;
                case PCMU -> ulaw(audio[i]) / 32768.0;
                case PCMA -> alaw(audio[i]) / 32768.0;
            };
            sumSquares += sample * sample;
            if (++samplesInStep == stepSamples) {
                if (onStep(sumSquares / stepSamples) && started < 0) {
                    started = ms(runOnsetStep);
                    detectedMs = ms(stepsSeen);
                }
                sumSquares = 0;
                samplesInStep = 0;
            }
        }
        return started;
    }

    /** Where in the audio (ms, from this detector's first sample) the last start was decided, or -1. */
    long detectedMs() {
        return detectedMs;
    }

    /** One whole step of mean square {@code level}; true when speech starts with it. */
    private boolean onStep(double level) {
        stepLevels[(int) (stepsSeen % STEPS_PER_WINDOW)] = level;
        stepsSeen++;
        double window = 0;
        for (double stepLevel : stepLevels) {
            window += stepLevel;
        }
        if (window / STEPS_PER_WINDOW >= loudMeanSquare) {
            if (loudRun++ == 0) {
                runOnsetStep = onsetInWindow();
            }
            quietRun = 0;
            if (!speaking && loudRun >= runToStart) {
                speaking = true;
                return true;
            }
        } else {
            quietRun++;
            loudRun = 0;
            if (speaking && quietRun >= quietToStop) {
                speaking = false;
            }
        }
        return false;
    }

    /** The first step of the window just completed that is loud on its own, else the window's first step. */
    private long onsetInWindow() {
        long first = Math.max(0, stepsSeen - STEPS_PER_WINDOW);
        for (long step = first; step < stepsSeen; step++) {
            if (stepLevels[(int) (step % STEPS_PER_WINDOW)] >= loudMeanSquare) {
                return step;
            }
        }
        return first;
    }

    private static long ms(long steps) {
        return steps * STEP_TENTHS_MS / 10;
    }

    private static int ulaw(byte encoded) {
        int u = ~encoded & 0xff;
        int t = ((u & 0x0f) << 3) + 0x84;
        t <<= (u & 0x70) >> 4;
        return (u & 0x80) != 0 ? 0x84 - t : t - 0x84;
    }

    private static int alaw(byte encoded) {
        int a = (encoded ^ 0x55) & 0xff;
        int t = (a & 0x0f) << 4;
        int segment = (a & 0x70) >> 4;
        if (segment == 0) {
            t += 8;
        } else {
            t = (t + 0x108) << (segment - 1);
        }
        return (a & 0x80) != 0 ? t : -t;
    }
}
