package dev.switchboard.broker.relay;

import java.util.Base64;

/** PCM16 (24 kHz, mono, little-endian) test audio as base64 chunks for {@code input_audio_buffer.append}. */
final class Pcm {
    static final int RATE = 24_000;

    private Pcm() {
    }

    /** {@code ms} of a 440 Hz tone at half of full scale: speech to an energy VAD. */
    static byte[] tone(int ms) {
        int samples = RATE * ms / 1000;
        byte[] out = new byte[samples * 2];
        for (int i = 0; i < samples; i++) {
            short v = (short) (0.5 * Short.MAX_VALUE * Math.sin(2 * Math.PI * 440 * i / RATE));
            out[2 * i] = (byte) v;
            out[2 * i + 1] = (byte) (v >> 8);
        }
        return out;
    }

    /** {@code ms} of silence. */
    static byte[] silence(int ms) {
        return new byte[RATE * ms / 1000 * 2];
    }

    /** An {@code input_audio_buffer.append} event carrying {@code pcm}. */
    static String append(byte[] pcm) {
        return "{\"type\":\"input_audio_buffer.append\",\"audio\":\"" + Base64.getEncoder().encodeToString(pcm)
                + "\"}";
    }
}
