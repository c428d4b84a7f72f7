package dev.switchboard.loadtest;

import java.util.Base64;
import java.util.SplittableRandom;

/**
 * The voice scenario's microphone: pre-encoded 100 ms {@code input_audio_buffer.append} events of PCM16 24 kHz.
 * Between utterances a quiet room (noise at {@value #ROOM_DBFS} dBFS RMS); an utterance is a speech-like sound, a
 * 125 Hz buzz with four overtones at {@value #SPEECH_DBFS} dBFS peak RMS, rising over {@value #ATTACK_MS} ms and
 * swelling at a 4 Hz syllable rate. It starts {@code 5 × onset} ms into its first chunk (20 onsets), so onsets fall
 * anywhere in an append as they do with a real microphone, not on chunk boundaries.
 *
 * <p>Everything is encoded once, at class initialisation (about 1.5 MB), and shared by all sessions: immutable and
 * thread-safe.
 */
final class VoiceAudio {
    /** Milliseconds of audio per append. */
    static final int CHUNK_MS = 100;
    /** Distinct onset positions in the first chunk. */
    static final int ONSETS = 20;
    static final int ONSET_STEP_MS = 5;
    static final double ROOM_DBFS = -60;
    static final double SPEECH_DBFS = -20;
    static final int ATTACK_MS = 40;
    private static final int RATE = 24_000;
    private static final int SAMPLES = RATE * CHUNK_MS / 1000;
    /** The sound repeats every second once the attack is over, so chunks from the second on loop over ten. */
    private static final int LOOP_FROM = 2;
    private static final int LOOP = 10;
    private static final String[] ROOM = new String[LOOP];
    private static final String[][] SPEECH = new String[ONSETS][LOOP_FROM + LOOP];

    static {
        SplittableRandom random = new SplittableRandom(42);
        double roomRms = Math.pow(10, ROOM_DBFS / 20);
        for (int c = 0; c < LOOP; c++) {
            double[] samples = new double[SAMPLES];
            for (int i = 0; i < SAMPLES; i++) {
                samples[i] = roomRms * Math.sqrt(3) * (2 * random.nextDouble() - 1);
            }
            ROOM[c] = append(samples);
        }
        for (int onset = 0; onset < ONSETS; onset++) {
            int lead = onsetMs(onset) * RATE / 1000;
            for (int c = 0; c < LOOP_FROM + LOOP; c++) {
                double[] samples = new double[SAMPLES];
                for (int i = 0; i < SAMPLES; i++) {
                    int fromOnset = c * SAMPLES + i - lead;
                    samples[i] = fromOnset < 0 ? roomRms * Math.sqrt(3) * (2 * random.nextDouble() - 1)
                            : speech((double) fromOnset / RATE);
                }
                SPEECH[onset][c] = append(samples);
            }
        }
    }

    private VoiceAudio() {
    }

    /** Where utterance onset {@code onset} (0 to {@link #ONSETS} - 1) starts in its first chunk, ms. */
    static int onsetMs(int onset) {
        return onset * ONSET_STEP_MS;
    }

    /** The quiet room, chunk {@code tick} of the session. */
    static String room(long tick) {
        return ROOM[(int) (tick % LOOP)];
    }

    /** Chunk {@code chunk} (0 first) of an utterance with onset {@code onset}. */
    static String speech(int onset, int chunk) {
        return SPEECH[onset][chunk < LOOP_FROM ? chunk : LOOP_FROM + (chunk - LOOP_FROM) % LOOP];
    }

    /** The utterance's sample {@code t} seconds after its onset, as a fraction of full scale. */
    static double speech(double t) {
        double peak = Math.pow(10, SPEECH_DBFS / 20) * Math.sqrt(2 / (1 + 1 / 4.0 + 1 / 9.0 + 1 / 16.0 + 1 / 25.0));
        double attack = t * 1000 >= ATTACK_MS ? 1 : (1 - Math.cos(Math.PI * t * 1000 / ATTACK_MS)) / 2;
        double syllable = 0.7 + 0.3 * Math.cos(2 * Math.PI * 4 * t);
        double buzz = 0;
        for (int h = 1; h <= 5; h++) {
            buzz += Math.sin(2 * Math.PI * 125 * h * t) / h;
        }
        return peak * attack * syllable * buzz;
    }

    private static String append(double[] samples) {
        byte[] pcm = new byte[samples.length * 2];
        for (int i = 0; i < samples.length; i++) {
            short v = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, Math.round(samples[i] * 32768)));
            pcm[2 * i] = (byte) v;
            pcm[2 * i + 1] = (byte) (v >> 8);
        }
        return "{\"type\":\"input_audio_buffer.append\",\"audio\":\"" + Base64.getEncoder().encodeToString(pcm)
                + "\"}";
    }
}
