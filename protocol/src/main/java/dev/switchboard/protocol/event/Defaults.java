package dev.switchboard.protocol.event;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Null-to-default helpers for compact constructors; Jackson passes {@code null} for absent fields. */
final class Defaults {
    private Defaults() {
    }

    static String string(String value) {
        return value == null ? "" : value;
    }

    static <T> Optional<T> optional(Optional<T> value) {
        return value == null ? Optional.empty() : value;
    }

    /**
     * An optional JSON value with JSON {@code null} treated as absent. Jackson hands an absent or null
     * {@code Optional<JsonNode>} over as {@code Optional.of(NullNode)}, not as empty.
     */
    static Optional<JsonNode> optionalJson(Optional<JsonNode> value) {
        return value == null ? Optional.empty() : value.filter(node -> !node.isNull() && !node.isMissingNode());
    }

    static <T> List<T> list(List<T> value) {
        return value == null ? List.of() : List.copyOf(value);
    }

    static <K, V> Map<K, V> map(Map<K, V> value) {
        return value == null ? Map.of() : Map.copyOf(value);
    }

    /**
     * Returns {@code value} when it is non-empty.
     *
     * @param field the field as people read it ({@code item.type}); its last segment is the wire name
     * @throws InvalidFieldException when the value is null or empty
     */
    static String require(String value, String field) {
        if (value == null || value.isEmpty()) {
            throw InvalidFieldException.missing(field.substring(field.lastIndexOf('.') + 1), field);
        }
        return value;
    }

    /**
     * Returns {@code value} when it is not null.
     *
     * @param field the field as people read it ({@code response.item}); its last segment is the wire name
     * @throws InvalidFieldException when the value is null
     */
    static <T> T nonNull(T value, String field) {
        if (value == null) {
            throw InvalidFieldException.missing(field.substring(field.lastIndexOf('.') + 1), field);
        }
        return value;
    }

    /** Checks a {@code max_output_tokens} value: an integer 1..4096 or {@code "inf"}. */
    static void checkMaxOutputTokens(JsonNode value) {
        // canConvertToInt first: asLong() silently truncates a huge integer into the allowed range.
        boolean ok = (value.isIntegralNumber() && value.canConvertToInt() && value.asInt() >= 1
                && value.asInt() <= 4096)
                || (value.isTextual() && value.asText().equals("inf"));
        if (!ok) {
            throw InvalidFieldException.invalid("max_output_tokens",
                    "max_output_tokens must be an integer 1..4096 or \"inf\"");
        }
    }
}
