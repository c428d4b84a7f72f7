package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * A session's {@code server_vad} turn detection ({@code audio.input.turn_detection}); absent when it is
 * {@code null}. Immutable. {@link VoiceActivityDetector} applies it; see the module README for how the threshold
 * maps to a level.
 *
 * @param threshold         activation threshold, 0 to 1
 * @param prefixPaddingMs   audio kept before detected speech, milliseconds
 * @param silenceDurationMs silence that ends speech, milliseconds
 * @param createResponse    whether the end of speech starts a response
 * @param interruptResponse whether the start of speech cancels the active response
 */
record TurnDetection(double threshold, int prefixPaddingMs, int silenceDurationMs, boolean createResponse,
        boolean interruptResponse) {

    static final double DEFAULT_THRESHOLD = 0.5;
    static final int DEFAULT_PREFIX_PADDING_MS = 300;
    static final int DEFAULT_SILENCE_DURATION_MS = 500;
    static final int MAX_MS = 10_000;

    TurnDetection {
        if (!(threshold >= 0 && threshold <= 1) || prefixPaddingMs < 0 || prefixPaddingMs > MAX_MS
                || silenceDurationMs < 0 || silenceDurationMs > MAX_MS) {
            throw new IllegalArgumentException("invalid turn detection: " + threshold + ", " + prefixPaddingMs
                    + " ms, " + silenceDurationMs + " ms");
        }
    }

    /**
     * Parses {@code audio.input.turn_detection}: {@code null} or a {@code server_vad} object, whose absent fields
     * take the defaults; errors name {@code param}.
     */
    static ParseResult<Optional<TurnDetection>> parse(JsonNode node, String param) {
        if (node.isNull()) {
            return ParseResult.valid(Optional.empty());
        }
        if (!node.isObject()) {
            return ParseResult.invalid(OpenAiError.invalidType(param, "an object or null"));
        }
        JsonNode type = node.path("type");
        if (!type.isTextual()) {
            return ParseResult.invalid(OpenAiError.missingParameter(param + ".type"));
        }
        if (!"server_vad".equals(type.asText())) {
            return ParseResult.invalid(OpenAiError.invalidValue(param + ".type",
                    "the simulator supports server_vad only"));
        }
        JsonNode threshold = node.path("threshold");
        if (present(threshold) && !(threshold.isNumber() && threshold.asDouble() >= 0 && threshold.asDouble() <= 1)) {
            return ParseResult.invalid(OpenAiError.invalidValue(param + ".threshold", "expected a number from 0 to 1"));
        }
        for (String field : new String[] {"prefix_padding_ms", "silence_duration_ms"}) {
            JsonNode ms = node.path(field);
            if (present(ms) && !(ms.isIntegralNumber() && ms.asLong() >= 0 && ms.asLong() <= MAX_MS)) {
                return ParseResult.invalid(OpenAiError.invalidValue(param + "." + field,
                        "expected an integer from 0 to " + MAX_MS));
            }
        }
        for (String field : new String[] {"create_response", "interrupt_response"}) {
            if (present(node.path(field)) && !node.path(field).isBoolean()) {
                return ParseResult.invalid(OpenAiError.invalidType(param + "." + field, "a boolean"));
            }
        }
        return ParseResult.valid(Optional.of(new TurnDetection(
                present(threshold) ? threshold.asDouble() : DEFAULT_THRESHOLD,
                present(node.path("prefix_padding_ms")) ? node.path("prefix_padding_ms").asInt()
                        : DEFAULT_PREFIX_PADDING_MS,
                present(node.path("silence_duration_ms")) ? node.path("silence_duration_ms").asInt()
                        : DEFAULT_SILENCE_DURATION_MS,
                !present(node.path("create_response")) || node.path("create_response").asBoolean(),
                !present(node.path("interrupt_response")) || node.path("interrupt_response").asBoolean())));
    }

    ObjectNode toJson() {
        ObjectNode json = SimulatorJson.object();
        json.put("type", "server_vad");
        json.put("threshold", threshold);
        json.put("prefix_padding_ms", prefixPaddingMs);
        json.put("silence_duration_ms", silenceDurationMs);
        json.putNull("idle_timeout_ms");
        json.put("create_response", createResponse);
        json.put("interrupt_response", interruptResponse);
        return json;
    }

    private static boolean present(JsonNode node) {
        return !node.isMissingNode() && !node.isNull();
    }
}
