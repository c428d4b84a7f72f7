package dev.switchboard.protocol.event;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/**
 * A Realtime session object. In {@code session.update} it is a patch (absent fields stay as they are); in
 * {@code session.created}/{@code session.updated} it is the effective session.
 *
 * @param type {@code realtime}
 * @param object {@code realtime.session} on output
 * @param id the session id on output
 * @param model the model name
 * @param instructions system instructions
 * @param outputModalities e.g. {@code ["text"]}
 * @param tools function tool definitions, kept as JSON for the upstream
 * @param toolChoice {@code auto}, {@code none}, {@code required} or a function choice
 * @param maxOutputTokens an integer or {@code "inf"}
 */
public record SessionConfig(
        Optional<String> type,
        Optional<String> object,
        Optional<String> id,
        Optional<String> model,
        Optional<String> instructions,
        Optional<List<String>> outputModalities,
        Optional<List<JsonNode>> tools,
        Optional<JsonNode> toolChoice,
        Optional<JsonNode> maxOutputTokens) {

    public SessionConfig {
        type = Defaults.optional(type);
        object = Defaults.optional(object);
        id = Defaults.optional(id);
        model = Defaults.optional(model);
        instructions = Defaults.optional(instructions);
        outputModalities = Defaults.optional(outputModalities).map(List::copyOf);
        tools = Defaults.optional(tools).map(List::copyOf);
        toolChoice = Defaults.optionalJson(toolChoice);
        maxOutputTokens = Defaults.optionalJson(maxOutputTokens);
        maxOutputTokens.ifPresent(Defaults::checkMaxOutputTokens);
        type.ifPresent(t -> {
            if (!t.equals("realtime")) {
                throw InvalidFieldException.invalid("type", "session.type must be 'realtime' but was '" + t + "'");
            }
        });
    }

    /** An empty patch. */
    public static SessionConfig empty() {
        return new SessionConfig(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** This session with every field present in {@code patch} replaced; {@code id} and {@code object} kept. */
    public SessionConfig merge(SessionConfig patch) {
        return new SessionConfig(or(patch.type, type), object, id, or(patch.model, model),
                or(patch.instructions, instructions), or(patch.outputModalities, outputModalities),
                or(patch.tools, tools), or(patch.toolChoice, toolChoice), or(patch.maxOutputTokens, maxOutputTokens));
    }

    private static <T> Optional<T> or(Optional<T> preferred, Optional<T> fallback) {
        return preferred.isPresent() ? preferred : fallback;
    }
}
