package dev.switchboard.protocol.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

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
 * @param upstreamParams Switchboard extension ({@code upstream_params}): provider request fields the broker does
 *     not interpret ({@code temperature}, {@code seed}, {@code stop}, …), passed to an OpenAI-compatible upstream
 *     unchanged; fields the broker sets itself win. Keys in {@link #RESERVED_UPSTREAM_PARAMS} are refused. Omitted
 *     on the wire when empty
 */
public record ResponseParams(
        Optional<String> instructions,
        Optional<List<ConversationItem>> input,
        Map<String, String> metadata,
        Optional<String> conversation,
        Optional<List<String>> outputModalities,
        Optional<JsonNode> maxOutputTokens,
        Optional<List<JsonNode>> tools,
        Optional<JsonNode> toolChoice,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, JsonNode> upstreamParams) {

    /** Realtime's limits on response metadata. */
    public static final int MAX_METADATA_PAIRS = 16;

    /**
     * Request fields that the broker derives itself and that {@code upstream_params} therefore may not carry: the
     * model and messages, streaming, tools, metadata, the output-token cap and the choice count.
     */
    public static final Set<String> RESERVED_UPSTREAM_PARAMS = Set.of("model", "messages", "stream",
            "stream_options", "tools", "tool_choice", "metadata", "max_tokens", "max_completion_tokens", "n");

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
        // In records built in code a JSON null value counts as absent; on the wire the codec refuses nulls in maps.
        upstreamParams = upstreamParams == null ? Map.of() : upstreamParams.entrySet().stream()
                .filter(e -> e.getValue() != null && !e.getValue().isNull() && !e.getValue().isMissingNode())
                .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));
        for (String key : upstreamParams.keySet()) {
            if (RESERVED_UPSTREAM_PARAMS.contains(key)) {
                throw InvalidFieldException.invalid("upstream_params", "upstream_params." + key
                        + " is reserved: the broker sets '" + key + "' itself");
            }
        }
    }

    /** The parameters without {@code upstream_params}: the signature from before the extension. */
    public ResponseParams(Optional<String> instructions, Optional<List<ConversationItem>> input,
                          Map<String, String> metadata, Optional<String> conversation,
                          Optional<List<String>> outputModalities, Optional<JsonNode> maxOutputTokens,
                          Optional<List<JsonNode>> tools, Optional<JsonNode> toolChoice) {
        this(instructions, input, metadata, conversation, outputModalities, maxOutputTokens, tools, toolChoice,
                Map.of());
    }

    /** No overrides. */
    public static ResponseParams none() {
        return new ResponseParams(Optional.empty(), Optional.empty(), Map.of(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty());
    }
}
