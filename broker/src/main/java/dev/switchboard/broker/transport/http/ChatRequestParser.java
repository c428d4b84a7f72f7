package dev.switchboard.broker.transport.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.switchboard.broker.transport.http.HttpErrors.HttpError;
import dev.switchboard.protocol.event.ConversationItem;
import dev.switchboard.protocol.event.InvalidFieldException;
import dev.switchboard.protocol.event.ResponseParams;
import dev.switchboard.protocol.event.SessionConfig;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Validates a chat-completions body and turns it into a {@link ChatCall}. Strict about the fields the broker
 * interprets (a wrong shape is a 400 naming the field, e.g. {@code messages[2].tool_calls[0].function.name});
 * every other non-null top-level field is kept, unchanged, as {@code upstream_params}. Stateless.
 *
 * <p>Mapping: {@code system} and {@code developer} messages are joined (blank line between) into the session
 * instructions, wherever they appear; {@code user} and {@code assistant} messages become message items (text
 * only: string content or {@code text} parts, joined with newlines); an assistant's {@code tool_calls} become
 * {@code function_call} items after its text; {@code tool} messages become {@code function_call_output} items.
 * Chat tools ({@code {type, function: {name, …}}}) become Realtime's flat tools ({@code {type, name, …}}).
 */
final class ChatRequestParser {
    /** Realtime sessions keep at most this many items (RealtimeSession.MAX_CONVERSATION_ITEMS), dropping the oldest. */
    static final int MAX_ITEMS = 1024;
    /** Realtime's cap on {@code max_output_tokens}. */
    static final int MAX_OUTPUT_TOKENS = 4096;

    private ChatRequestParser() {
    }

    /** A parsed request, or the 400 to answer with. */
    sealed interface Parsed {
        /** @param call the request */
        record Ok(ChatCall call) implements Parsed {
        }

        /** @param error the refusal */
        record Invalid(HttpError error) implements Parsed {
        }
    }

    /** Parses {@code body}; never throws for bad input. */
    static Parsed parse(ObjectMapper json, byte[] body) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JsonProcessingException e) {
            return invalid("invalid_json", "the body is not valid JSON", Optional.empty());
        } catch (java.io.IOException e) {
            return invalid("invalid_json", "the body could not be read as JSON", Optional.empty());
        }
        if (!(root instanceof ObjectNode object)) {
            return invalid("invalid_json", "the body must be a JSON object", Optional.empty());
        }
        try {
            return new Parsed.Ok(call(object));
        } catch (BadField e) {
            return new Parsed.Invalid(new HttpError(400, e.code(), e.getMessage(), Optional.of(e.param())));
        } catch (InvalidFieldException e) {
            // A rule of the Realtime records, for example more than 16 metadata pairs.
            return invalid("invalid_value", e.getMessage(), Optional.of(e.field()));
        }
    }

    private static Parsed invalid(String code, String message, Optional<String> param) {
        return new Parsed.Invalid(new HttpError(400, code, message, param));
    }

    private static ChatCall call(ObjectNode root) throws BadField {
        String model = requiredString(root, "model");
        boolean stream = optionalBoolean(root.get("stream"), "stream");
        boolean includeUsage = false;
        JsonNode options = root.get("stream_options");
        if (present(options)) {
            if (!options.isObject()) {
                throw BadField.invalid("stream_options", "stream_options must be an object");
            }
            includeUsage = optionalBoolean(options.get("include_usage"), "stream_options.include_usage");
        }
        JsonNode n = root.get("n");
        if (present(n) && !(n.isIntegralNumber() && n.asLong() == 1)) {
            throw BadField.invalid("n", "n must be 1: Switchboard returns one choice");
        }
        Conversion conversation = MessageMapper.map(root.get("messages"));
        Optional<List<JsonNode>> tools = tools(root.get("tools"));
        Optional<JsonNode> toolChoice = toolChoice(root.get("tool_choice"));
        Optional<SessionConfig> session = conversation.instructions().isEmpty() && tools.isEmpty()
                && toolChoice.isEmpty()
                ? Optional.empty()
                : Optional.of(new SessionConfig(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                conversation.instructions().isEmpty() ? Optional.empty() : Optional.of(conversation.instructions()),
                Optional.empty(), tools, toolChoice, Optional.empty()));
        ResponseParams response = new ResponseParams(Optional.empty(), Optional.empty(), metadata(root.get("metadata")),
                Optional.empty(), Optional.empty(), maxOutputTokens(root), Optional.empty(), Optional.empty(),
                upstreamParams(root));
        return new ChatCall(model, stream, includeUsage, session, conversation.items(), response);
    }

    /** The conversation part of a request. */
    record Conversion(String instructions, List<ConversationItem> items) {
    }

    private static Map<String, String> metadata(JsonNode node) throws BadField {
        Map<String, String> out = new LinkedHashMap<>();
        if (!present(node)) {
            return out;
        }
        if (!node.isObject()) {
            throw BadField.invalid("metadata", "metadata must be an object of string values");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw BadField.invalid("metadata." + e.getKey(), "metadata values must be strings");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    /** {@code max_completion_tokens}, or the older {@code max_tokens}, as Realtime's {@code max_output_tokens}. */
    private static Optional<JsonNode> maxOutputTokens(ObjectNode root) throws BadField {
        String field = present(root.get("max_completion_tokens")) ? "max_completion_tokens" : "max_tokens";
        JsonNode value = root.get(field);
        if (!present(value)) {
            return Optional.empty();
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.asInt() < 1
                || value.asInt() > MAX_OUTPUT_TOKENS) {
            throw BadField.invalid(field, field + " must be an integer from 1 to " + MAX_OUTPUT_TOKENS);
        }
        return Optional.of(IntNode.valueOf(value.asInt()));
    }

    private static Optional<List<JsonNode>> tools(JsonNode node) throws BadField {
        if (!present(node)) {
            return Optional.empty();
        }
        if (!node.isArray()) {
            throw BadField.invalid("tools", "tools must be an array");
        }
        List<JsonNode> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String where = "tools[" + i + "]";
            JsonNode tool = node.get(i);
            if (!tool.isObject() || !"function".equals(tool.path("type").asText())) {
                throw BadField.invalid(where + ".type", "only tools of type 'function' are supported");
            }
            JsonNode function = tool.get("function");
            if (function == null || !function.isObject()) {
                throw BadField.missing(where + ".function");
            }
            requiredString(function, "name", where + ".function.name");
            // Realtime tools are flat: {type, name, description, parameters, ...}.
            ObjectNode flat = ((ObjectNode) function).deepCopy();
            ObjectNode realtime = flat.objectNode().put("type", "function");
            realtime.setAll(flat);
            out.add(realtime);
        }
        return Optional.of(out);
    }

    private static Optional<JsonNode> toolChoice(JsonNode node) throws BadField {
        if (!present(node)) {
            return Optional.empty();
        }
        if (node.isTextual() && List.of("auto", "none", "required").contains(node.asText())) {
            return Optional.of(TextNode.valueOf(node.asText()));
        }
        if (node.isObject() && "function".equals(node.path("type").asText())
                && node.path("function").path("name").isTextual()) {
            ObjectNode realtime = ((ObjectNode) node).objectNode().put("type", "function")
                    .put("name", node.path("function").path("name").asText());
            return Optional.of(realtime);
        }
        throw BadField.invalid("tool_choice", "tool_choice must be 'auto', 'none', 'required' or "
                + "{\"type\":\"function\",\"function\":{\"name\":...}}");
    }

    /** Every field the broker does not interpret, unchanged; JSON nulls are left out. */
    private static Map<String, JsonNode> upstreamParams(ObjectNode root) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        root.fields().forEachRemaining(e -> {
            if (!ResponseParams.RESERVED_UPSTREAM_PARAMS.contains(e.getKey()) && present(e.getValue())) {
                out.put(e.getKey(), e.getValue());
            }
        });
        return out;
    }

    static boolean present(JsonNode node) {
        return node != null && !node.isNull() && !node.isMissingNode();
    }

    private static boolean optionalBoolean(JsonNode node, String field) throws BadField {
        if (!present(node)) {
            return false;
        }
        if (!node.isBoolean()) {
            throw BadField.invalid(field, field + " must be a boolean");
        }
        return node.asBoolean();
    }

    static String requiredString(JsonNode parent, String field) throws BadField {
        return requiredString(parent, field, field);
    }

    static String requiredString(JsonNode parent, String field, String path) throws BadField {
        JsonNode node = parent.get(field);
        if (!present(node)) {
            throw BadField.missing(path);
        }
        if (!node.isTextual() || node.asText().isEmpty()) {
            throw BadField.invalid(path, path + " must be a non-empty string");
        }
        return node.asText();
    }
}
