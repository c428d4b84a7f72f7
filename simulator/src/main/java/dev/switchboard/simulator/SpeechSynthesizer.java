package dev.switchboard.simulator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Deterministic stand-in speech: every character of a transcript is {@value #MS_PER_CHAR} ms of audio. Letters and
 * digits sound as a sine tone whose pitch, from {@value #MIN_PITCH_HZ} to {@value #MAX_PITCH_HZ} Hz, derives from
 * the token's text (so each word has its own note); spaces, punctuation and line breaks are silence, which makes
 * the gaps between words. The amplitude is {@value #AMPLITUDE} of full scale (about −13.5 dBFS RMS), loud enough
 * for any VAD threshold up to about 0.93. The samples are identical on every JVM. Stateless and thread-safe.
 */
final class SpeechSynthesizer {

    static final int MS_PER_CHAR = 60;
    /** Audio deltas carry at most this much audio (at least 20 ms, since tokens are multiples of 60 ms). */
    static final int MAX_CHUNK_MS = 100;
    static final double AMPLITUDE = 0.3;
    static final int MIN_PITCH_HZ = 220;
    static final int MAX_PITCH_HZ = 880;

    private SpeechSynthesizer() {
    }

    /** Milliseconds of speech for {@code text}. */
    static long durationMs(String text) {
        return (long) text.length() * MS_PER_CHAR;
    }

    /** The pitch a token is spoken at. */
    static int pitchHz(String token) {
        long mixed = TextGenerator.mix64(token.hashCode() ^ 0x5eec4L);
        return MIN_PITCH_HZ + (int) Long.remainderUnsigned(mixed, MAX_PITCH_HZ - MIN_PITCH_HZ + 1);
    }

    /** {@code token}'s speech as 16-bit linear samples at {@code sampleRate}. */
    static short[] samples(String token, int sampleRate) {
        int perChar = sampleRate * MS_PER_CHAR / 1000;
        short[] samples = new short[token.length() * perChar];
        double radiansPerSample = 2 * Math.PI * pitchHz(token) / sampleRate;
        // sin((n + 1)w) = 2cos(w)sin(nw) - sin((n - 1)w): a multiply-add per sample instead of a sine, and exact
        // IEEE arithmetic, so the samples are the same on every JVM.
        double twoCos = 2 * StrictMath.cos(radiansPerSample);
        double previous = -StrictMath.sin(radiansPerSample);
        double current = 0;
        double scale = AMPLITUDE * Short.MAX_VALUE;
        for (int i = 0; i < samples.length; i++) {
            if (Character.isLetterOrDigit(token.charAt(i / perChar))) {
                samples[i] = (short) Math.round(scale * current);
            }
            double next = twoCos * current - previous;
            previous = current;
            current = next;
        }
        return samples;
    }

    /** {@code token}'s speech in {@code format}, split into chunks of at most {@value #MAX_CHUNK_MS} ms. */
    static List<byte[]> chunks(String token, AudioFormat format) {
        byte[] audio = format.encode(samples(token, format.sampleRate()));
        int chunkBytes = format.bytesFor(MAX_CHUNK_MS);
        List<byte[]> chunks = new ArrayList<>(audio.length / chunkBytes + 1);
        for (int from = 0; from < audio.length; from += chunkBytes) {
            chunks.add(Arrays.copyOfRange(audio, from, Math.min(audio.length, from + chunkBytes)));
        }
        return chunks;
    }
}
