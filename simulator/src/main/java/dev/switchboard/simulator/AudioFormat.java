package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The Realtime audio formats, for input and output: {@code audio/pcm} (16-bit signed little-endian PCM, 24 kHz,
 * mono) and the 8 kHz G.711 codecs {@code audio/pcmu} (μ-law) and {@code audio/pcma} (A-law), one byte a sample.
 */
enum AudioFormat {
    PCM("audio/pcm", 24_000, 2),
    PCMU("audio/pcmu", 8_000, 1),
    PCMA("audio/pcma", 8_000, 1);

    /** The audio clock: every format's sample rate divides it, so audio time is exact in these units. */
    static final int CLOCK_HZ = 24_000;

    private final String wireName;
    private final int sampleRate;
    private final int bytesPerSample;

    AudioFormat(String wireName, int sampleRate, int bytesPerSample) {
        this.wireName = wireName;
        this.sampleRate = sampleRate;
        this.bytesPerSample = bytesPerSample;
    }

    String wireName() {
        return wireName;
    }

    int sampleRate() {
        return sampleRate;
    }

    int bytesPerSample() {
        return bytesPerSample;
    }

    /** Bytes of {@code ms} milliseconds of audio. */
    int bytesFor(long ms) {
        return Math.toIntExact(ms * sampleRate / 1000 * bytesPerSample);
    }

    /** {@link #CLOCK_HZ} ticks per sample of this format. */
    int clockTicksPerSample() {
        return CLOCK_HZ / sampleRate;
    }

    /** The format object: {@code {"type":"audio/pcm","rate":24000}}, or just the type for G.711. */
    ObjectNode toJson() {
        ObjectNode format = SimulatorJson.object();
        format.put("type", wireName);
        if (this == PCM) {
            format.put("rate", sampleRate);
        }
        return format;
    }

    /** Parses a format object; errors name {@code param}. */
    static ParseResult<AudioFormat> parse(JsonNode node, String param) {
        if (!node.isObject()) {
            return ParseResult.invalid(OpenAiError.invalidType(param, "an object"));
        }
        JsonNode type = node.path("type");
        if (!type.isTextual()) {
            return ParseResult.invalid(OpenAiError.missingParameter(param + ".type"));
        }
        for (AudioFormat format : values()) {
            if (format.wireName.equals(type.asText())) {
                JsonNode rate = node.path("rate");
                boolean rateOk = rate.isMissingNode() || rate.isNull()
                        || (rate.isIntegralNumber() && rate.asLong() == format.sampleRate);
                return rateOk ? ParseResult.valid(format)
                        : ParseResult.invalid(OpenAiError.invalidValue(param + ".rate",
                                "expected " + format.sampleRate + " for " + format.wireName));
            }
        }
        return ParseResult.invalid(OpenAiError.invalidValue(param + ".type",
                "expected audio/pcm, audio/pcmu or audio/pcma"));
    }
}
