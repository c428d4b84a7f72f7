package dev.switchboard.broker.session;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * The broker VAD's settings, from the session extension {@code session.switchboard.broker_vad}
 * ({@code enabled}, {@code threshold} 0–1, {@code min_speech_ms}, {@code silence_ms}) or the tenant default.
 *
 * @param enabled whether the broker VAD runs
 * @param threshold loudness threshold, 0–1 ({@code -60 + 50 × threshold} dBFS)
 * @param minSpeechMs loud audio needed before speech counts as started, 10–2000
 * @param silenceMs quiet audio that ends speech, 10–10000
 */
record VadSettings(boolean enabled, double threshold, int minSpeechMs, int silenceMs) {
    /**
     * On, threshold 0.5 (−35 dBFS), 10 ms of speech (one window), 300 ms of silence. Chosen so the broker decides
     * no later than a provider's energy VAD at its defaults (threshold 0.5, 10 ms frames) on the same audio, and is
     * listening again before such a provider (silence_duration_ms 500) is: see docs/voice.md.
     */
    static final VadSettings DEFAULT = new VadSettings(true, 0.5, 10, 300);

    BrokerVad detector() {
        return new BrokerVad(threshold, minSpeechMs, silenceMs);
    }

    /** What is wrong with {@code node}, if anything. */
    static Optional<String> problem(JsonNode node) {
        if (!node.isObject()) {
            return Optional.of("session.switchboard.broker_vad must be an object");
        }
        JsonNode enabled = node.path("enabled");
        if (!absent(enabled) && !enabled.isBoolean()) {
            return Optional.of("broker_vad.enabled must be true or false");
        }
        JsonNode threshold = node.path("threshold");
        if (!absent(threshold) && (!threshold.isNumber() || threshold.asDouble() < 0
                || threshold.asDouble() > 1)) {
            return Optional.of("broker_vad.threshold must be a number from 0 to 1");
        }
        if (badMs(node.path("min_speech_ms"), 10, 2000)) {
            return Optional.of("broker_vad.min_speech_ms must be an integer from 10 to 2000");
        }
        if (badMs(node.path("silence_ms"), 10, 10_000)) {
            return Optional.of("broker_vad.silence_ms must be an integer from 10 to 10000");
        }
        return Optional.empty();
    }

    /** A JSON null counts as absent, as everywhere in the protocol (docs/protocol.md). */
    private static boolean absent(JsonNode value) {
        return value.isMissingNode() || value.isNull();
    }

    private static boolean badMs(JsonNode value, int min, int max) {
        // canConvertToInt first: asInt() would wrap 2^32 + 10 to 10 and accept it (issue 10).
        return !absent(value) && (!value.isIntegralNumber() || !value.canConvertToInt()
                || value.asInt() < min || value.asInt() > max);
    }

    /** Settings from a node {@link #problem} accepted; absent fields keep their defaults. */
    static VadSettings from(JsonNode node) {
        return new VadSettings(node.path("enabled").asBoolean(true), node.path("threshold").asDouble(
                DEFAULT.threshold), node.path("min_speech_ms").asInt(DEFAULT.minSpeechMs),
                node.path("silence_ms").asInt(DEFAULT.silenceMs));
    }
}
