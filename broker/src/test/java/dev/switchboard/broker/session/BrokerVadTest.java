package dev.switchboard.broker.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class BrokerVadTest {

    private static byte[] pcm16(double amplitude, int ms) {
        int samples = 24 * ms;
        byte[] out = new byte[samples * 2];
        for (int i = 0; i < samples; i++) {
            short v = (short) (amplitude * Short.MAX_VALUE * Math.sin(2 * Math.PI * 440 * i / 24_000.0));
            out[2 * i] = (byte) v;
            out[2 * i + 1] = (byte) (v >> 8);
        }
        return out;
    }

    /** G.711 μ-law encoding of a tone (the standard segment encoder), 8 kHz. */
    private static byte[] ulaw(double amplitude, int ms) {
        byte[] out = new byte[8 * ms];
        for (int i = 0; i < out.length; i++) {
            int sample = (int) (amplitude * 32767 * Math.sin(2 * Math.PI * 440 * i / 8_000.0));
            int sign = sample < 0 ? 0x80 : 0;
            int magnitude = Math.min(Math.abs(sample), 32635) + 0x84;
            int exponent = 7;
            for (int mask = 0x4000; (magnitude & mask) == 0 && exponent > 0; mask >>= 1) {
                exponent--;
            }
            int mantissa = (magnitude >> (exponent + 3)) & 0x0f;
            out[i] = (byte) ~(sign | (exponent << 4) | mantissa);
        }
        return out;
    }

    @Test
    void speech_starts_after_the_minimum_of_loud_audio_and_reports_its_audio_time() {
        BrokerVad vad = new BrokerVad(0.5, 60, 500);
        assertEquals(-1, vad.feed(pcm16(0, 300)));
        assertEquals(300, vad.feed(pcm16(0.5, 100)));
        assertEquals(-1, vad.feed(pcm16(0.5, 100)), "already speaking");
    }

    @Test
    void quiet_audio_below_the_threshold_is_not_speech() {
        BrokerVad vad = new BrokerVad(0.5, 60, 500);
        assertEquals(-1, vad.feed(pcm16(0.005, 1000)));
        BrokerVad sensitive = new BrokerVad(0.1, 60, 500);
        assertEquals(0, sensitive.feed(pcm16(0.005, 100)));
    }

    @Test
    void speech_can_start_again_after_enough_silence_however_the_audio_is_chunked() {
        BrokerVad vad = new BrokerVad(0.5, 60, 200);
        assertEquals(0, vad.feed(pcm16(0.5, 100)));
        byte[] silence = pcm16(0, 300);
        for (int i = 0; i < silence.length; i += 98) {
            byte[] chunk = java.util.Arrays.copyOfRange(silence, i, Math.min(silence.length, i + 98));
            assertEquals(-1, vad.feed(chunk));
        }
        assertEquals(400, vad.feed(pcm16(0.5, 100)));
    }

    @Test
    void g711_input_is_decoded() {
        BrokerVad vad = new BrokerVad(0.5, 60, 500);
        vad.format(BrokerVad.Format.PCMU);
        assertEquals(-1, vad.feed(ulaw(0, 200)));
        assertEquals(200, vad.feed(ulaw(0.5, 100)));
    }
}
