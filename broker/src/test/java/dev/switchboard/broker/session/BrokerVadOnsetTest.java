package dev.switchboard.broker.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * The default broker VAD on synthetic PCM16 24 kHz: it stays quiet on silence and noise below its threshold, finds
 * tone and speech-like onsets, and never decides later than a 10 ms frame energy detector (the provider
 * simulator's kind) at the same threshold would on the same audio (issue 12).
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class BrokerVadOnsetTest {
    private static final int RATE = 24_000;

    private static BrokerVad defaults() {
        return VadSettings.DEFAULT.detector();
    }

    /** Samples (fractions of full scale) to PCM16 little-endian. */
    private static byte[] pcm(double[] samples) {
        byte[] out = new byte[samples.length * 2];
        for (int i = 0; i < samples.length; i++) {
            short v = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, Math.round(samples[i] * 32768)));
            out[2 * i] = (byte) v;
            out[2 * i + 1] = (byte) (v >> 8);
        }
        return out;
    }

    /** Gaussian noise of RMS {@code dbfs}. */
    private static double[] noise(double dbfs, int ms, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double rms = Math.pow(10, dbfs / 20);
        double[] out = new double[RATE * ms / 1000];
        for (int i = 0; i < out.length; i++) {
            // Box-Muller: one standard normal per sample.
            out[i] = rms * Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI
                    * random.nextDouble());
        }
        return out;
    }

    /**
     * A voiced, speech-like sound of peak RMS {@code peakDbfs}: a 125 Hz buzz with five harmonics, rising over
     * {@code attackMs} (raised cosine) and swelling at a 4 Hz syllable rate.
     */
    private static double[] speech(double peakDbfs, int attackMs, int ms) {
        double peak = Math.pow(10, peakDbfs / 20) * Math.sqrt(2) / Math.sqrt(1 + 0.25 + 0.11 + 0.06 + 0.04);
        double[] out = new double[RATE * ms / 1000];
        for (int i = 0; i < out.length; i++) {
            double t = (double) i / RATE;
            double attack = attackMs == 0 || t * 1000 >= attackMs ? 1
                    : (1 - Math.cos(Math.PI * t * 1000 / attackMs)) / 2;
            double syllable = 0.7 + 0.3 * Math.cos(2 * Math.PI * 4 * t);
            double buzz = 0;
            for (int h = 1; h <= 5; h++) {
                buzz += Math.sin(2 * Math.PI * 125 * h * t) / h;
            }
            out[i] = peak * attack * syllable * buzz;
        }
        return out;
    }

    private static double[] concat(double[]... parts) {
        double[] out = new double[Arrays.stream(parts).mapToInt(p -> p.length).sum()];
        int at = 0;
        for (double[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    /** Feeds in chunks of {@code chunkMs}; returns the first start reported, or -1. */
    private static long firstStart(BrokerVad vad, byte[] audio, int chunkMs) {
        int chunk = RATE * chunkMs / 1000 * 2;
        for (int at = 0; at < audio.length; at += chunk) {
            long started = vad.feed(Arrays.copyOfRange(audio, at, Math.min(audio.length, at + chunk)));
            if (started >= 0) {
                return started;
            }
        }
        return -1;
    }

    /**
     * Where (ms) a detector with 10 ms frames from the first sample, speech at the first frame whose RMS reaches
     * {@code dbfs}, decides: the end of that frame.
     */
    private static long frameDetectorDecides(double[] samples, double dbfs) {
        double loud = Math.pow(10, dbfs / 20);
        int frame = RATE / 100;
        for (int start = 0; start + frame <= samples.length; start += frame) {
            double sum = 0;
            for (int i = start; i < start + frame; i++) {
                double s = Math.round(samples[i] * 32768) / 32768.0;
                sum += s * s;
            }
            if (Math.sqrt(sum / frame) >= loud) {
                return (start + frame) * 1000L / RATE;
            }
        }
        return -1;
    }

    @Test
    void ten_seconds_of_silence_never_start_speech() {
        assertEquals(-1, firstStart(defaults(), pcm(new double[RATE * 10]), 100));
    }

    @Test
    void noise_six_decibels_under_the_threshold_never_starts_speech_nor_does_a_quiet_room() {
        assertEquals(-1, firstStart(defaults(), pcm(noise(-41, 10_000, 7)), 100));
        assertEquals(-1, firstStart(defaults(), pcm(noise(-60, 10_000, 8)), 20));
    }

    @Test
    void a_tone_after_noise_starts_speech_where_it_begins() {
        double[] tone = new double[RATE / 5];
        for (int i = 0; i < tone.length; i++) {
            tone[i] = 0.3 * Math.sin(2 * Math.PI * 440 * i / RATE);
        }
        BrokerVad vad = defaults();
        assertEquals(1_000, firstStart(vad, pcm(concat(noise(-55, 1_000, 3), tone)), 100));
        assertTrue(vad.detectedMs() >= 1_000 && vad.detectedMs() <= 1_010, "decided at " + vad.detectedMs());
    }

    @Test
    void tone_bursts_start_again_only_after_the_hangover() {
        double[] burst = new double[RATE / 10];
        for (int i = 0; i < burst.length; i++) {
            burst[i] = 0.3 * Math.sin(2 * Math.PI * 440 * i / RATE);
        }
        BrokerVad vad = defaults();
        assertEquals(0, vad.feed(pcm(burst)));
        assertEquals(-1, vad.feed(pcm(new double[RATE / 5])), "200 ms of silence");
        assertEquals(-1, vad.feed(pcm(burst)), "still inside the 300 ms hangover");
        // The hangover counts from the first quiet window, which ends a window (10 ms) after the burst.
        assertEquals(-1, vad.feed(pcm(new double[RATE * 32 / 100])), "320 ms of silence");
        assertEquals(720, vad.feed(pcm(burst)));
    }

    @Test
    void speech_like_sound_after_a_quiet_room_starts_within_a_window_of_its_onset() {
        BrokerVad vad = defaults();
        long started = firstStart(vad, pcm(concat(noise(-60, 1_230, 5), speech(-20, 40, 500))), 100);
        assertTrue(started >= 1_230 && started <= 1_250, "onset reported at " + started);
        assertTrue(vad.detectedMs() <= 1_250, "decided at " + vad.detectedMs());
    }

    @Test
    void the_default_never_decides_later_than_a_ten_millisecond_frame_detector_at_the_same_threshold() {
        SplittableRandom random = new SplittableRandom(12);
        for (int trial = 0; trial < 200; trial++) {
            int onsetMs = 300 + random.nextInt(100);
            double[] lead = noise(-60, onsetMs, trial);
            double[] head = Arrays.copyOf(lead, lead.length + random.nextInt(RATE / 1000));
            double[] audio = concat(head, speech(-30 + random.nextInt(24), random.nextInt(80), 300));
            long reference = frameDetectorDecides(audio, -35);
            BrokerVad vad = defaults();
            long started = firstStart(vad, pcm(audio), 1 + random.nextInt(100));
            assertTrue(started >= 0 && reference >= 0, "trial " + trial);
            assertTrue(vad.detectedMs() <= reference, "trial " + trial + ": broker decided at " + vad.detectedMs()
                    + " ms, the frame detector at " + reference + " ms");
        }
    }
}
