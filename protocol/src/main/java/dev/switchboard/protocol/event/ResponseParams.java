package dev.switchboard.protocol.event;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The optional {@code response} object of {@code response.create}.
 *
 * @param instructions overrides the session instructions for this response
 * @param input when present, the response's input instead of the conversation ({@code conversation: none} style)
 * @param metadata up to 16 string key/value pairs, echoed in the response and passed upstream
 * @param conversation {@code auto} (default) or {@code none}
 * @param outputModalities overrides the session's output modalities
 * @param maxOutputTokens an integer or {@code "inf"}
 * @param tools overrides the session tools
 * @param toolChoice overrides the session tool choice
 */
public record ResponseParams(
        Optional<String> instructions,
        Optional<List<ConversationItem>> input,
        Map<String, String> metadata,
        Optional<String> conversation,
        Optional<List<String>> outputModalities,
        Optional<JsonNode> maxOutputTokens,
        Optional<List<JsonNode>> tools,
        Optional<JsonNode> toolChoice) {

    /** Realtime's limits on response metadata. */
    public static final int MAX_METADATA_PAIRS = 16;

    public ResponseParams {
        instructions = Defaults.optional(instructions);
        input = Defaults.optional(input).map(List::copyOf);
        metadata = Defaults.map(metadata);
        conversation = Defaults.optional(conversation);
        outputModalities = Defaults.optional(outputModalities).map(List::copyOf);
        maxOutputTokens = Defaults.optionalJson(maxOutputTokens);
        tools = Defaults.optional(tools).map(List::copyOf);
        toolChoice = Defaults.optionalJson(toolChoice);
        if (metadata.size() > MAX_METADATA_PAIRS) {
            throw InvalidFieldException.invalid("metadata", "response.metadata may hold at most 16 pairs");
        }
        conversation.ifPresent(c -> {
            if (!c.equals("auto") && !c.equals("none")) {
                throw InvalidFieldException.invalid("conversation", "response.conversation must be 'auto' or 'none'");
            }
        });
        maxOutputTokens.ifPresent(Defaults::checkMaxOutputTokens);
    }

    /** No overrides. */
    public static ResponseParams none() {
        return new ResponseParams(Optional.empty(), Optional.empty(), Map.of(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty());
    }
}
