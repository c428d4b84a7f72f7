package dev.switchboard.bridge.anthropic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.bridge.upstream.UpstreamRequest;
import dev.switchboard.protocol.event.ConversationItem;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Maps a Realtime-shaped {@link UpstreamRequest} to a Messages API body. Stateless.
 *
 * <ul>
 *   <li>{@code system} is the instructions followed by the text of every {@code system}-role message item, joined
 *       with blank lines: the Messages API has no system turns, so their position in the conversation is lost.</li>
 *   <li>{@code messages} alternate between {@code user} and {@code assistant}, as Anthropic requires: consecutive
 *       items of one role become one message with several content blocks. Text becomes {@code text} blocks (empty
 *       text is left out: Anthropic refuses empty text blocks), a {@code function_call} an assistant
 *       {@code tool_use} block, a {@code function_call_output} a user {@code tool_result} block. In a user message
 *       the {@code tool_result} blocks go first, as Anthropic requires.</li>
 *   <li>A trailing assistant message is sent unchanged: Anthropic continues it (a prefill). That is how an
 *       answer cut off on another provider is continued after failover.</li>
 *   <li>{@code max_tokens} is required by Anthropic: the request's cap, else {@value #DEFAULT_MAX_TOKENS}.</li>
 *   <li>Metadata is not part of the body (Anthropic's {@code metadata} only accepts {@code user_id}); the
 *       connector sends it in a header, see {@link #metadataHeader}.</li>
 * </ul>
 */
final class AnthropicRequestBody {
    static final int DEFAULT_MAX_TOKENS = 4096;
    private static final String SYSTEM_SEPARATOR = "\n\n";

    private AnthropicRequestBody() {
    }

    static String write(ObjectMapper mapper, UpstreamRequest request) {
        ObjectNode body = mapper.createObjectNode();
        body.put("model", request.model());
        body.put("max_tokens", request.maxOutputTokens().orElse(DEFAULT_MAX_TOKENS));
        body.put("stream", true);
        String system = system(request);
        if (!system.isEmpty()) {
            body.put("system", system);
        }
        body.set("messages", messages(mapper, request.items()));
        if (!request.tools().isEmpty()) {
            ArrayNode tools = body.putArray("tools");
            request.tools().forEach(tool -> tools.add(tool(mapper, tool)));
            // Anthropic accepts tool_choice only together with tools.
            request.toolChoice().flatMap(choice -> toolChoice(mapper, choice))
                    .ifPresent(choice -> body.set("tool_choice", choice));
        }
        passThrough(mapper, request.upstreamParams(), body);
        return serialise(mapper, body);
    }

    /**
     * The sampling parameters both APIs share, from {@code upstream_params}: {@code temperature}, {@code top_p},
     * {@code top_k} as they are, and OpenAI's {@code stop} (a string or a list) as {@code stop_sequences}.
     * Everything else is left out, because the Messages API refuses fields it does not know.
     */
    private static void passThrough(ObjectMapper mapper, Map<String, JsonNode> params, ObjectNode body) {
        for (String key : new String[] {"temperature", "top_p", "top_k"}) {
            JsonNode value = params.get(key);
            if (value != null && value.isNumber()) {
                body.set(key, value);
            }
        }
        JsonNode stop = params.get("stop");
        if (stop != null && (stop.isTextual() || stop.isArray())) {
            ArrayNode sequences = mapper.createArrayNode();
            if (stop.isTextual()) {
                sequences.add(stop.asText());
            } else {
                stop.forEach(s -> {
                    if (s.isTextual()) {
                        sequences.add(s.asText());
                    }
                });
            }
            if (!sequences.isEmpty()) {
                body.set("stop_sequences", sequences);
            }
        }
    }

    /**
     * The request metadata as a JSON object for the {@code x-switchboard-metadata} header, or empty when there is
     * none. Non-ASCII characters are escaped so the value is plain ASCII, which any HTTP stack carries intact, and
     * control characters are escaped by JSON itself, so a value cannot break the header.
     */
    static Optional<String> metadataHeader(ObjectMapper mapper, Map<String, String> metadata) {
        if (metadata.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode object = mapper.createObjectNode();
        metadata.forEach(object::put);
        try {
            return Optional.of(mapper.writer().with(JsonWriteFeature.ESCAPE_NON_ASCII).writeValueAsString(object));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
    }

    private static String system(UpstreamRequest request) {
        List<String> parts = new ArrayList<>();
        if (!request.instructions().isEmpty()) {
            parts.add(request.instructions());
        }
        for (ConversationItem item : request.items()) {
            if (item.type().equals("message") && role(item).equals("system") && !item.text().isEmpty()) {
                parts.add(item.text());
            }
        }
        return String.join(SYSTEM_SEPARATOR, parts);
    }

    /** Builds the alternating message list; each message's blocks are collected before it is closed. */
    private static ArrayNode messages(ObjectMapper mapper, List<ConversationItem> items) {
        ArrayNode messages = mapper.createArrayNode();
        MessageBuilder current = null;
        for (ConversationItem item : items) {
            Optional<Block> block = block(mapper, item);
            if (block.isEmpty()) {
                continue;
            }
            String role = block.get().role();
            if (current == null || !current.role.equals(role)) {
                if (current != null) {
                    messages.add(current.build(mapper));
                }
                current = new MessageBuilder(role);
            }
            current.add(block.get());
        }
        if (current != null) {
            messages.add(current.build(mapper));
        }
        return messages;
    }

    /** The content block an item becomes, with the role of the message it belongs to; empty if none. */
    private static Optional<Block> block(ObjectMapper mapper, ConversationItem item) {
        switch (item.type()) {
            case "message" -> {
                String role = role(item);
                String text = item.text();
                if (role.equals("system") || text.isEmpty()) {
                    return Optional.empty();
                }
                return Optional.of(new Block(role, false, mapper.createObjectNode().put("type", "text")
                        .put("text", text)));
            }
            case "function_call" -> {
                ObjectNode toolUse = mapper.createObjectNode().put("type", "tool_use")
                        .put("id", item.callId().orElse(item.id().orElse("")))
                        .put("name", item.name().orElse(""));
                toolUse.set("input", input(mapper, item.arguments().orElse("")));
                return Optional.of(new Block("assistant", false, toolUse));
            }
            case "function_call_output" -> {
                ObjectNode result = mapper.createObjectNode().put("type", "tool_result")
                        .put("tool_use_id", item.callId().orElse(""))
                        .put("content", item.output().orElse(""));
                return Optional.of(new Block("user", true, result));
            }
            default -> {
                // Item types without a Messages API equivalent are not sent.
                return Optional.empty();
            }
        }
    }

    /** {@code assistant} and {@code system} (and {@code developer}, a system role) are kept; the rest is user. */
    private static String role(ConversationItem item) {
        String role = item.role().orElse("user");
        return switch (role) {
            case "assistant" -> "assistant";
            case "system", "developer" -> "system";
            default -> "user";
        };
    }

    /** Anthropic wants the tool input as an object; arguments that are not a JSON object become {@code {}}. */
    private static JsonNode input(ObjectMapper mapper, String arguments) {
        try {
            JsonNode parsed = mapper.readTree(arguments);
            return parsed != null && parsed.isObject() ? parsed : mapper.createObjectNode();
        } catch (JsonProcessingException e) {
            return mapper.createObjectNode();
        }
    }

    /**
     * Realtime tools are flat ({@code {type, name, description, parameters}}), chat-completions tools nest them in
     * {@code function}; Anthropic wants {@code {name, description, input_schema}}. A tool already in that shape
     * passes unchanged.
     */
    private static JsonNode tool(ObjectMapper mapper, JsonNode tool) {
        if (tool.has("input_schema")) {
            return tool;
        }
        JsonNode function = tool.has("function") ? tool.get("function") : tool;
        ObjectNode out = mapper.createObjectNode().put("name", function.path("name").asText(""));
        if (function.path("description").isTextual()) {
            out.put("description", function.get("description").asText());
        }
        JsonNode parameters = function.get("parameters");
        if (parameters != null && parameters.isObject()) {
            out.set("input_schema", parameters);
        } else {
            out.putObject("input_schema").put("type", "object").putObject("properties");
        }
        return out;
    }

    /**
     * {@code auto}, {@code required} and {@code none} become {@code {type: auto|any|none}}; a named function
     * (Realtime {@code {type: function, name}} or chat {@code {type: function, function: {name}}}) becomes
     * {@code {type: tool, name}}. Anything else is left out, letting Anthropic default to {@code auto}.
     */
    private static Optional<JsonNode> toolChoice(ObjectMapper mapper, JsonNode choice) {
        if (choice.isTextual()) {
            String type = switch (choice.asText()) {
                case "auto" -> "auto";
                case "required" -> "any";
                case "none" -> "none";
                default -> "";
            };
            return type.isEmpty() ? Optional.empty() : Optional.of(mapper.createObjectNode().put("type", type));
        }
        String name = choice.path("name").asText(choice.path("function").path("name").asText(""));
        if (choice.path("type").asText("").equals("function") && !name.isEmpty()) {
            return Optional.of(mapper.createObjectNode().put("type", "tool").put("name", name));
        }
        return Optional.empty();
    }

    private static String serialise(ObjectMapper mapper, JsonNode body) {
        try {
            return mapper.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
    }

    /** One content block and the role of the message it belongs to. */
    private record Block(String role, boolean toolResult, ObjectNode json) {
    }

    /** The blocks of one message being built; tool results are kept ahead of the other blocks. */
    private static final class MessageBuilder {
        private final String role;
        private final List<ObjectNode> toolResults = new ArrayList<>();
        private final List<ObjectNode> others = new ArrayList<>();

        MessageBuilder(String role) {
            this.role = role;
        }

        void add(Block block) {
            (block.toolResult() ? toolResults : others).add(block.json());
        }

        ObjectNode build(ObjectMapper mapper) {
            ObjectNode message = mapper.createObjectNode().put("role", role);
            ArrayNode content = message.putArray("content");
            toolResults.forEach(content::add);
            others.forEach(content::add);
            return message;
        }
    }
}
