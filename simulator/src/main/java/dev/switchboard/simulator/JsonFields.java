package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Reads the fields of one Realtime client event, remembering the first problem so a parser reads straight through
 * and reports one error naming the field (e.g. {@code session.tools[0].name}). A JSON {@code null} counts as
 * absent; values are never coerced. Not thread-safe: one instance per parsed event.
 */
final class JsonFields {

    /** Realtime's cap on {@code max_output_tokens}. */
    static final int MAX_OUTPUT_TOKENS = 4096;
    static final int MAX_METADATA_PAIRS = 16;
    private static final Set<String> TOOL_CHOICE_MODES = Set.of("auto", "none", "required");

    private @Nullable OpenAiError error;

    static boolean present(JsonNode node) {
        return !node.isMissingNode() && !node.isNull();
    }

    /** Records {@code problem} unless an earlier one was recorded. */
    void fail(OpenAiError problem) {
        if (error == null) {
            error = problem;
        }
    }

    /** The first recorded error as a result; only after {@link #failed()}. */
    <T> ParseResult<T> invalid() {
        if (error == null) {
            throw new IllegalStateException("no error recorded");
        }
        return ParseResult.invalid(error);
    }

    /** The value of {@code parsed}, or empty after recording its error. */
    <T> Optional<T> take(ParseResult<T> parsed) {
        if (parsed instanceof ParseResult.Invalid<T> invalid) {
            if (!(invalid.error() instanceof OpenAiError openAi)) {
                throw new IllegalStateException("Realtime parsing produced a non-OpenAI error");
            }
            fail(openAi);
            return Optional.empty();
        }
        return Optional.of(((ParseResult.Valid<T>) parsed).value());
    }

    boolean failed() {
        return error != null;
    }

    /** The value {@code valid} supplies, or the first recorded error. */
    <T> ParseResult<T> result(Supplier<T> valid) {
        return error != null ? ParseResult.invalid(error) : ParseResult.valid(valid.get());
    }

    Optional<String> string(JsonNode node, String param) {
        if (!present(node)) {
            return Optional.empty();
        }
        if (!node.isTextual()) {
            fail(OpenAiError.invalidType(param, "a string"));
            return Optional.empty();
        }
        return Optional.of(node.asText());
    }

    /** A required string; records a missing parameter when absent. */
    String requiredString(JsonNode node, String param) {
        if (!present(node)) {
            fail(OpenAiError.missingParameter(param));
            return "";
        }
        return string(node, param).orElse("");
    }

    Optional<Boolean> bool(JsonNode node, String param) {
        if (!present(node)) {
            return Optional.empty();
        }
        if (!node.isBoolean()) {
            fail(OpenAiError.invalidType(param, "a boolean"));
            return Optional.empty();
        }
        return Optional.of(node.booleanValue());
    }

    /** {@code output_modalities}: exactly one of {@code ["text"]} and {@code ["audio"]}. */
    Optional<Modality> modality(JsonNode node, String param) {
        if (!present(node)) {
            return Optional.empty();
        }
        if (!node.isArray() || node.size() != 1 || !node.get(0).isTextual()) {
            fail(OpenAiError.invalidValue(param, "expected [\"text\"] or [\"audio\"]"));
            return Optional.empty();
        }
        Optional<Modality> modality = Modality.of(node.get(0).asText());
        if (modality.isEmpty()) {
            fail(OpenAiError.invalidValue(param + "[0]", "expected text or audio"));
        }
        return modality;
    }

    /** {@code tools}: function tools in Realtime's flat shape, each with a string {@code name}. */
    Optional<ArrayNode> tools(JsonNode node, String param) {
        if (!present(node)) {
            return Optional.empty();
        }
        if (!node.isArray()) {
            fail(OpenAiError.invalidType(param, "an array"));
            return Optional.empty();
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode tool = node.get(i);
            String toolParam = param + "[" + i + "]";
            if (!tool.isObject()) {
                fail(OpenAiError.invalidType(toolParam, "an object"));
            } else if (present(tool.path("type")) && !"function".equals(tool.path("type").asText())) {
                fail(OpenAiError.invalidValue(toolParam + ".type", "the simulator supports function tools only"));
            } else {
                requiredString(tool.path("name"), toolParam + ".name");
            }
        }
        return Optional.of((ArrayNode) node.deepCopy());
    }

    /** {@code tool_choice}: {@code auto}, {@code none}, {@code required} or {@code {"type":"function","name":…}}. */
    Optional<JsonNode> toolChoice(JsonNode node, String param) {
        if (!present(node)) {
            return Optional.empty();
        }
        boolean valid = node.isTextual() ? TOOL_CHOICE_MODES.contains(node.asText())
                : node.isObject() && "function".equals(node.path("type").asText()) && node.path("name").isTextual();
        if (!valid) {
            fail(OpenAiError.invalidValue(param,
                    "expected auto, none, required or {\"type\":\"function\",\"name\":…}"));
            return Optional.empty();
        }
        return Optional.of(node.deepCopy());
    }

    /** {@code max_output_tokens}: 1–4096, or {@code "inf"} (an empty {@link OptionalInt}). */
    Optional<OptionalInt> maxOutputTokens(JsonNode node, String param) {
        if (!present(node)) {
            return Optional.empty();
        }
        if ("inf".equals(node.asText(null)) && node.isTextual()) {
            return Optional.of(OptionalInt.empty());
        }
        if (!node.isIntegralNumber() || node.asLong() < 1 || node.asLong() > MAX_OUTPUT_TOKENS) {
            fail(OpenAiError.invalidValue(param, "expected an integer from 1 to " + MAX_OUTPUT_TOKENS + " or \"inf\""));
            return Optional.empty();
        }
        return Optional.of(OptionalInt.of(node.asInt()));
    }

    /** {@code metadata}: at most 16 pairs of string values. */
    Map<String, String> metadata(JsonNode node, String param) {
        Map<String, String> metadata = new LinkedHashMap<>();
        if (!present(node)) {
            return metadata;
        }
        if (!node.isObject()) {
            fail(OpenAiError.invalidType(param, "an object of string values"));
            return metadata;
        }
        if (node.size() > MAX_METADATA_PAIRS) {
            fail(OpenAiError.invalidValue(param, "expected at most " + MAX_METADATA_PAIRS + " pairs"));
        }
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            if (!entry.getValue().isTextual()) {
                fail(OpenAiError.invalidType(param + "." + entry.getKey(), "a string"));
            } else {
                metadata.put(entry.getKey(), entry.getValue().asText());
            }
        }
        return metadata;
    }

    /** Names of the functions in a validated {@code tools} array. */
    static List<String> toolNames(ArrayNode tools) {
        List<String> names = new ArrayList<>();
        for (JsonNode tool : tools) {
            names.add(tool.path("name").asText());
        }
        return names;
    }
}
