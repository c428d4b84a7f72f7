package dev.switchboard.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AudioCodecTest {

    @Test
    void every_ulaw_code_survives_decoding_and_encoding_except_negative_zero() {
        for (int code = 0; code < 256; code++) {
            byte encoded = G711.encodeUlaw(G711.decodeUlaw((byte) code));
            assertEquals(code == 0x7F ? (byte) 0xFF : (byte) code, encoded, "code " + code);
        }
    }

    @Test
    void every_alaw_code_survives_decoding_and_encoding() {
        for (int code = 0; code < 256; code++) {
            assertEquals((byte) code, G711.encodeAlaw(G711.decodeAlaw((byte) code)), "code " + code);
        }
    }

    @Test
    void silence_has_the_standard_codes_and_loud_samples_keep_their_sign_and_size() {
        assertEquals((byte) 0xFF, G711.encodeUlaw((short) 0));
        assertEquals((byte) 0xD5, G711.encodeAlaw((short) 0));
        for (short sample : new short[] {1_000, -1_000, 12_345, -12_345, Short.MAX_VALUE, Short.MIN_VALUE}) {
            short ulaw = G711.decodeUlaw(G711.encodeUlaw(sample));
            short alaw = G711.decodeAlaw(G711.encodeAlaw(sample));
            // Both laws keep about 4 bits of mantissa: the error stays within 1/16 of the magnitude (plus a step).
            double tolerance = Math.abs(sample) / 16.0 + 16;
            assertTrue(Math.abs(ulaw - sample) <= tolerance, sample + " -> " + ulaw);
            assertTrue(Math.abs(alaw - sample) <= tolerance, sample + " -> " + alaw);
        }
    }

    @Test
    void pcm_is_sixteen_bit_little_endian() {
        byte[] bytes = AudioFormat.PCM.encode(new short[] {0x1234, -2});

        assertArrayEquals(new byte[] {0x34, 0x12, (byte) 0xFE, (byte) 0xFF}, bytes);
        assertEquals(0x1234, AudioFormat.PCM.sample(bytes, 0));
        assertEquals(-2, AudioFormat.PCM.sample(bytes, 1));
    }

    @Test
    void speech_is_sixty_milliseconds_a_character_with_tones_for_letters_and_silence_between_words() {
        byte[] audio = AudioFormat.PCM.encode(SpeechSynthesizer.samples(" ok,", 24_000));

        assertEquals(4 * 60 * 48, audio.length);
        int perChar = 24 * 60;
        assertEquals(0, TestAudio.rms(audio, AudioFormat.PCM, 0, perChar), 1e-9, "the space is silent");
        assertEquals(0.3 / Math.sqrt(2), TestAudio.rms(audio, AudioFormat.PCM, perChar, 3 * perChar), 0.01);
        assertEquals(0, TestAudio.rms(audio, AudioFormat.PCM, 3 * perChar, 4 * perChar), 1e-9);
    }

    @Test
    void speech_is_deterministic_and_each_word_has_its_pitch() {
        assertArrayEquals(SpeechSynthesizer.samples(" river", 8_000), SpeechSynthesizer.samples(" river", 8_000));
        assertNotEquals(SpeechSynthesizer.pitchHz(" river"), SpeechSynthesizer.pitchHz(" harbor"));
        int pitch = SpeechSynthesizer.pitchHz(" river");
        assertTrue(pitch >= SpeechSynthesizer.MIN_PITCH_HZ && pitch <= SpeechSynthesizer.MAX_PITCH_HZ);
    }

    @Test
    void speech_is_sent_in_chunks_of_twenty_to_one_hundred_milliseconds() {
        List<byte[]> chunks = SpeechSynthesizer.chunks(" checkpoint", AudioFormat.PCMU);

        assertEquals(11 * 60 * 8, chunks.stream().mapToInt(c -> c.length).sum());
        for (byte[] chunk : chunks) {
            assertTrue(chunk.length >= 20 * 8 && chunk.length <= 100 * 8, "chunk of " + chunk.length + " bytes");
        }
    }
}
