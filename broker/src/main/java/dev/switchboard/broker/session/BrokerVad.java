package dev.switchboard.broker.session;

/**
 * The broker's own voice-activity detector: energy over 10 ms frames of the caller's input audio, so a response
 * can be cut the moment the caller starts speaking, before the provider's VAD (which sits behind a network hop and
 * its own buffering) reports it.
 *
 * <p>A frame is loud when its RMS level is at least {@code -60 + 50 × threshold} dBFS (threshold 0.5 → −35 dBFS,
 * the scale the simulator's server VAD uses). Speech starts after {@code minSpeechMs} of consecutive loud frames
 * and ends after {@code silenceMs} of quiet ones. Times are audio time (milliseconds of audio appended), so the
 * result does not depend on how the client chunks its audio or on the wall clock.
 *
 * <p>Trade-off: energy detection cannot tell the caller from the assistant's own voice leaking back into the
 * microphone. Without echo cancellation on the client, playback can cut the answer it is playing (a false
 * positive); raise the threshold or {@code minSpeechMs}, or keep the broker VAD off for speakerphone clients.
 *
 * <p>Not thread-safe: confined to the session's shard thread.
 */
final class BrokerVad {
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

        static Format of(String type) {
            return switch (type) {
                case "audio/pcmu" -> PCMU;
                case "audio/pcma" -> PCMA;
                default -> PCM16_24K;
            };
        }
    }

    private final double loudRms;
    private final int minSpeechFrames;
    private final int silenceFrames;
    private Format format = Format.PCM16_24K;
    private double sumSquares;
    private int samplesInFrame;
    private long framesSeen;
    private int loudRun;
    private int quietRun;
    private boolean speaking;

    /**
     * @param threshold 0–1, as the Realtime {@code server_vad} threshold
     * @param minSpeechMs loud audio needed before speech counts as started
     * @param silenceMs quiet audio that ends speech
     */
    BrokerVad(double threshold, int minSpeechMs, int silenceMs) {
        double dbfs = -60 + 50 * Math.max(0, Math.min(1, threshold));
        this.loudRms = Math.pow(10, dbfs / 20);
        this.minSpeechFrames = Math.max(1, minSpeechMs / 10);
        this.silenceFrames = Math.max(1, silenceMs / 10);
    }

    void format(Format newFormat) {
        this.format = newFormat;
    }

    /**
     * Feeds decoded audio bytes.
     *
     * @return the audio time (ms) at which speech started, if it started within this chunk, else -1
     */
    long feed(byte[] audio) {
        long started = -1;
        int frameSamples = format.rate / 100;
        for (int i = 0; i + format.bytesPerSample <= audio.length; i += format.bytesPerSample) {
            double sample = switch (format) {
                case PCM16_24K -> (short) ((audio[i] & 0xff) | (audio[i + 1] << 8)) / 32768.0;
                case PCMU -> ulaw(audio[i]) / 32768.0;
                case PCMA -> alaw(audio[i]) / 32768.0;
            };
            sumSquares += sample * sample;
            if (++samplesInFrame == frameSamples) {
                if (onFrame(Math.sqrt(sumSquares / frameSamples)) && started < 0) {
                    started = (framesSeen - minSpeechFrames) * 10;
                }
                sumSquares = 0;
                samplesInFrame = 0;
            }
        }
        return started;
    }

    /** One whole frame; true when speech starts with it. */
    private boolean onFrame(double rms) {
        framesSeen++;
        if (rms >= loudRms) {
            loudRun++;
            quietRun = 0;
            if (!speaking && loudRun >= minSpeechFrames) {
                speaking = true;
                return true;
            }
        } else {
            quietRun++;
            loudRun = 0;
            if (speaking && quietRun >= silenceFrames) {
                speaking = false;
            }
        }
        return false;
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
