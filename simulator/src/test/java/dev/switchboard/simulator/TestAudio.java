package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.util.Base64;

/** Synthesised input audio for tests: tones and silence in any Realtime format. */
final class TestAudio {

    private TestAudio() {
    }

    /** {@code ms} of a sine tone at {@code hz} and {@code amplitude} (fraction of full scale). */
    static byte[] tone(int ms, int hz, double amplitude, AudioFormat format) {
        short[] samples = new short[format.sampleRate() * ms / 1000];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (short) Math.round(amplitude * Short.MAX_VALUE
                    * Math.sin(2 * Math.PI * hz * i / format.sampleRate()));
        }
        return format.encode(samples);
    }

    static byte[] silence(int ms, AudioFormat format) {
        return format.encode(new short[format.sampleRate() * ms / 1000]);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** An {@code input_audio_buffer.append} of {@code audio}. */
    static ObjectNode append(byte[] audio) {
        return RealtimeTestClient.event("input_audio_buffer.append")
                .put("audio", Base64.getEncoder().encodeToString(audio));
    }

    /** The RMS of {@code samples}, as a fraction of full scale. */
    static double rms(byte[] audio, AudioFormat format, int fromSample, int toSample) {
        double sum = 0;
        for (int i = fromSample; i < toSample; i++) {
            double sample = format.sample(audio, i) / 32_768d;
            sum += sample * sample;
        }
        return Math.sqrt(sum / (toSample - fromSample));
    }
}
