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
 * @param upstreamParams provider request fields the broker does not interpret ({@code temperature}, {@code seed},
 *     …), from {@code response.upstream_params}; adapters that speak the chat-completions dialect merge them into
 *     the request body unchanged, under the fields they set themselves. Possibly empty
 * @param headers extra HTTP headers for the provider request, sent as they are: the broker's trace context (a W3C
 *     {@code traceparent} naming the attempt). Never credentials (the adapter's own headers, the API key among
 *     them, are set after these and win). Possibly empty
 */
public record UpstreamRequest(
        String model,
        String instructions,
        List<ConversationItem> items,
        Map<String, String> metadata,
        OptionalInt maxOutputTokens,
        List<JsonNode> tools,
        Optional<JsonNode> toolChoice,
        Map<String, JsonNode> upstreamParams,
        Map<String, String> headers) {

    public UpstreamRequest {
        if (model.isEmpty()) {
            throw new IllegalArgumentException("model must not be empty");
        }
        items = List.copyOf(items);
        metadata = Map.copyOf(metadata);
        tools = List.copyOf(tools);
        upstreamParams = Map.copyOf(upstreamParams);
        headers = Map.copyOf(headers);
    }

    /** A request without extra {@code headers}. */
    public UpstreamRequest(String model, String instructions, List<ConversationItem> items,
                           Map<String, String> metadata, OptionalInt maxOutputTokens, List<JsonNode> tools,
                           Optional<JsonNode> toolChoice, Map<String, JsonNode> upstreamParams) {
        this(model, instructions, items, metadata, maxOutputTokens, tools, toolChoice, upstreamParams, Map.of());
    }

    /** This request with {@code extraHeaders} as its {@link #headers()}. */
    public UpstreamRequest withHeaders(Map<String, String> extraHeaders) {
        return new UpstreamRequest(model, instructions, items, metadata, maxOutputTokens, tools, toolChoice,
                upstreamParams, extraHeaders);
    }

    /** A request without {@code upstreamParams}: the signature from before they existed. */
    public UpstreamRequest(String model, String instructions, List<ConversationItem> items,
                           Map<String, String> metadata, OptionalInt maxOutputTokens, List<JsonNode> tools,
                           Optional<JsonNode> toolChoice) {
        this(model, instructions, items, metadata, maxOutputTokens, tools, toolChoice, Map.of());
    }
}
