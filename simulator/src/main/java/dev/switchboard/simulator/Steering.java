package dev.switchboard.simulator;

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
}
