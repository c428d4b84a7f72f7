package dev.switchboard.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class VoiceActivityDetectorTest {

    private static final TurnDetection DEFAULTS = new TurnDetection(0.5, 300, 500, true, true);

    @Test
    void a_tone_between_silences_starts_and_stops_speech_in_audio_time() {
        byte[] audio = utterance(AudioFormat.PCM);

        List<VoiceActivityDetector.Event> events = new InputAudioBuffer().append(audio, AudioFormat.PCM,
                java.util.Optional.of(DEFAULTS));

        assertEquals(List.of(new VoiceActivityDetector.SpeechStarted(400 - 300),
                new VoiceActivityDetector.SpeechStopped(900 + 500)), events);
    }

    @Test
    void the_events_do_not_depend_on_how_the_audio_is_chunked_or_encoded() {
        for (AudioFormat format : AudioFormat.values()) {
            byte[] audio = utterance(format);
            InputAudioBuffer buffer = new InputAudioBuffer();
            List<VoiceActivityDetector.Event> events = new ArrayList<>();
            int chunk = format.bytesFor(7) + format.bytesPerSample();
            for (int from = 0; from < audio.length; from += chunk) {
                byte[] part = java.util.Arrays.copyOfRange(audio, from, Math.min(audio.length, from + chunk));
                events.addAll(buffer.append(part, format, java.util.Optional.of(DEFAULTS)));
            }

            assertEquals(List.of(new VoiceActivityDetector.SpeechStarted(100),
                    new VoiceActivityDetector.SpeechStopped(1400)), events, format.toString());
        }
    }

    @Test
    void a_quiet_tone_is_speech_only_under_a_low_threshold() {
        // 0.01 of full scale peak is an RMS of about -43 dBFS: above threshold 0.2 (-50), below 0.5 (-35).
        byte[] quiet = TestAudio.concat(TestAudio.tone(200, 300, 0.01, AudioFormat.PCM),
                TestAudio.silence(600, AudioFormat.PCM));

        assertEquals(2, new InputAudioBuffer().append(quiet, AudioFormat.PCM,
                java.util.Optional.of(new TurnDetection(0.2, 0, 500, true, true))).size());
        assertTrue(new InputAudioBuffer().append(quiet, AudioFormat.PCM, java.util.Optional.of(DEFAULTS)).isEmpty());
        assertEquals(-35, 20 * Math.log10(VoiceActivityDetector.levelRms(0.5)), 1e-9);
    }

    @Test
    void a_short_pause_does_not_end_speech() {
        byte[] audio = TestAudio.concat(TestAudio.tone(300, 440, 0.3, AudioFormat.PCM),
                TestAudio.silence(200, AudioFormat.PCM), TestAudio.tone(300, 440, 0.3, AudioFormat.PCM),
                TestAudio.silence(500, AudioFormat.PCM));

        List<VoiceActivityDetector.Event> events = new InputAudioBuffer().append(audio, AudioFormat.PCM,
                java.util.Optional.of(DEFAULTS));

        assertEquals(List.of(new VoiceActivityDetector.SpeechStarted(0),
                new VoiceActivityDetector.SpeechStopped(1300)), events);
    }

    /** 400 ms of silence, 500 ms of a loud tone, 600 ms of silence. */
    static byte[] utterance(AudioFormat format) {
        return TestAudio.concat(TestAudio.silence(400, format), TestAudio.tone(500, 440, 0.3, format),
                TestAudio.silence(600, format));
    }
}
