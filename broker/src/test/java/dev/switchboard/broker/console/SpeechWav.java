package dev.switchboard.broker.console;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A WAV file for Chromium's fake microphone ({@code --use-file-for-fake-audio-capture}), which loops it: a quiet
 * room (noise at −60 dBFS RMS) with one utterance per loop. The utterance is the load-test harness's speech-like
 * sound (loadtest {@code VoiceAudio}): a 125 Hz buzz with four overtones swelling at a 4 Hz syllable rate over a
 * 40 ms attack, here at −14 dBFS RMS, far above the VAD threshold of −35 dBFS (0.5) so that the browser's own
 * processing (noise suppression, gain control) cannot hide it. Mono PCM16 at 48 kHz.
 */
final class SpeechWav {
    static final int RATE = 48_000;
    private static final double ROOM_DBFS = -60;
    private static final double SPEECH_DBFS = -14;
    private static final int ATTACK_MS = 40;

    private SpeechWav() {
    }

    /**
     * Writes one loop: quiet for {@code leadMs}, speech for {@code speechMs}, quiet for {@code tailMs}.
     */
    static Path write(Path file, int leadMs, int speechMs, int tailMs) throws IOException {
        int lead = RATE * leadMs / 1000;
        int speech = RATE * speechMs / 1000;
        int samples = lead + speech + RATE * tailMs / 1000;
        ByteBuffer wav = ByteBuffer.allocate(44 + 2 * samples).order(ByteOrder.LITTLE_ENDIAN);
        wav.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(36 + 2 * samples)
                .put("WAVEfmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(16)
                .putShort((short) 1).putShort((short) 1).putInt(RATE).putInt(RATE * 2).putShort((short) 2)
                .putShort((short) 16).put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .putInt(2 * samples);
        SplittableRandom random = new SplittableRandom(16);
        double roomRms = Math.pow(10, ROOM_DBFS / 20);
        for (int i = 0; i < samples; i++) {
            double room = roomRms * Math.sqrt(3) * (2 * random.nextDouble() - 1);
            double value = i >= lead && i < lead + speech ? speech((double) (i - lead) / RATE) : room;
            wav.putShort((short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, Math.round(value * 32768))));
        }
        return Files.write(file, wav.array());
    }

    /** The utterance {@code t} seconds after its onset, as a fraction of full scale. */
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
}
