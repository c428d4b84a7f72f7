package dev.switchboard.simulator;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The metadata a request is generated from and the {@code sim_*} knobs read from it, whichever API and carrier
 * (body {@code metadata} or {@code x-switchboard-metadata} header) it came in. Immutable.
 *
 * @param metadata every entry: the non-knob ones seed the text
 * @param knobs    the parsed knobs
 */
record Steering(Map<String, String> metadata, SimKnobs knobs) {

    Steering {
        metadata = Map.copyOf(metadata);
        Objects.requireNonNull(knobs, "knobs");
    }

    /**
     * Parses the knobs in {@code metadata} and checks {@code sim_tool_call} against {@code toolNames}; errors name
     * the field as {@code paramPrefix + key}.
     */
    static ParseResult<Steering> of(Map<String, String> metadata, String paramPrefix, List<String> toolNames) {
        ParseResult<SimKnobs> parsed = SimKnobs.parse(metadata, paramPrefix);
        if (parsed instanceof ParseResult.Invalid<SimKnobs> invalid) {
            return ParseResult.invalid(invalid.error());
        }
        SimKnobs knobs = ((ParseResult.Valid<SimKnobs>) parsed).value();
        Optional<OpenAiError> toolError = knobs.checkToolCall(toolNames, paramPrefix);
        if (toolError.isPresent()) {
            return ParseResult.invalid(toolError.get());
        }
        return ParseResult.valid(new Steering(metadata, knobs));
    }

    /**
     * The steering of a request whose metadata arrives in two carriers: knobs come from {@code body} (errors
     * named {@code bodyPrefix + key}); only when it has none do the {@code header} entries count, overlaid by the
     * body's so that the header only adds what the body lacks (errors then named after the header).
     */
    static ParseResult<Steering> merged(Map<String, String> body, String bodyPrefix, Map<String, String> header,
            List<String> toolNames) {
        boolean bodyHasKnobs = body.keySet().stream().anyMatch(key -> key.startsWith(SimKnobs.PREFIX));
        if (header.isEmpty() || bodyHasKnobs) {
            return of(body, bodyPrefix, toolNames);
        }
        Map<String, String> merged = new LinkedHashMap<>(header);
        merged.putAll(body);
        return of(merged, MetadataHeader.PARAM_PREFIX, toolNames);
    }
}
