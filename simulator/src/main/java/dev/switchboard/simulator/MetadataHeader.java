package dev.switchboard.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code x-switchboard-metadata} request header: a JSON object of string values carrying what an OpenAI
 * request would put in {@code metadata} (the broker forwards Realtime response metadata this way). It is where
 * the Anthropic endpoint reads {@code sim_*} knobs, whose request body only allows {@code metadata.user_id}, and
 * a fallback for the OpenAI endpoint. Stateless and thread-safe.
 */
final class MetadataHeader {

    static final String NAME = "x-switchboard-metadata";
    /** Error parameter prefix for knobs read from this header. */
    static final String PARAM_PREFIX = NAME + ".";

    private MetadataHeader() {
    }

    /** The header's entries, an empty map when it is absent, or the error naming the header. */
    static ParseResult<Map<String, String>> parse(Optional<String> header) {
        if (header.isEmpty()) {
            return ParseResult.valid(Map.of());
        }
        JsonNode root;
        try {
            root = SimulatorJson.MAPPER.readTree(header.get());
        } catch (JsonProcessingException e) {
            return ParseResult.invalid(invalid());
        }
        if (root == null || !root.isObject()) {
            return ParseResult.invalid(invalid());
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            if (!entry.getValue().isTextual()) {
                return ParseResult.invalid(OpenAiError.invalidType(PARAM_PREFIX + entry.getKey(), "a string"));
            }
            metadata.put(entry.getKey(), entry.getValue().asText());
        }
        return ParseResult.valid(metadata);
    }

    private static OpenAiError invalid() {
        return OpenAiError.invalidValue(NAME, "expected a JSON object of string values");
    }
}
