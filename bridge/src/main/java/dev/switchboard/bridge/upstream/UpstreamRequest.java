package dev.switchboard.bridge.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.protocol.event.ConversationItem;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a response asks of a provider, in Realtime terms; each adapter maps it to its own wire format.
 *
 * @param model the provider's model name
 * @param instructions system instructions, or empty
 * @param items the conversation items the response reads, oldest first
 * @param metadata string pairs passed upstream unchanged
 * @param maxOutputTokens a cap on output tokens, when set
 * @param tools function tool definitions (Realtime shape), possibly empty
 * @param toolChoice the tool choice, when set
 */
public record UpstreamRequest(
        String model,
        String instructions,
        List<ConversationItem> items,
        Map<String, String> metadata,
        OptionalInt maxOutputTokens,
        List<JsonNode> tools,
        Optional<JsonNode> toolChoice) {

    public UpstreamRequest {
        if (model.isEmpty()) {
            throw new IllegalArgumentException("model must not be empty");
        }
        items = List.copyOf(items);
        metadata = Map.copyOf(metadata);
        tools = List.copyOf(tools);
    }
}
