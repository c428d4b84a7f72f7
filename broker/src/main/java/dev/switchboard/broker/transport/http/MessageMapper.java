package dev.switchboard.broker.transport.http;

import static dev.switchboard.broker.transport.http.ChatRequestParser.present;
import static dev.switchboard.broker.transport.http.ChatRequestParser.requiredString;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.protocol.event.ContentPart;
import dev.switchboard.protocol.event.ConversationItem;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Maps chat {@code messages} to instructions and Realtime items; see {@link ChatRequestParser}. Stateless. */
final class MessageMapper {
    private MessageMapper() {
    }

    static ChatRequestParser.Conversion map(JsonNode messages) throws BadField {
        if (!present(messages)) {
            throw BadField.missing("messages");
        }
        if (!messages.isArray() || messages.isEmpty()) {
            throw BadField.invalid("messages", "messages must be a non-empty array");
        }
        List<String> instructions = new ArrayList<>();
        List<ConversationItem> items = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            String where = "messages[" + i + "]";
            JsonNode message = messages.get(i);
            if (!message.isObject()) {
                throw BadField.invalid(where, where + " must be an object");
            }
            String role = requiredString(message, "role", where + ".role");
            switch (role) {
                case "system", "developer" -> instructions.add(text(message.get("content"), where, true));
                case "user" -> items.add(message("user", "input_text", text(message.get("content"), where, true)));
                case "assistant" -> assistant(message, where, items);
                case "tool" -> items.add(toolOutput(message, where));
                default -> throw BadField.invalid(where + ".role", "role must be one of system, developer, "
                        + "user, assistant, tool but was '" + role + "'");
            }
        }
        if (items.isEmpty()) {
            throw BadField.invalid("messages", "messages must hold at least one user, assistant or tool message");
        }
        if (items.size() > ChatRequestParser.MAX_ITEMS) {
            throw BadField.invalid("messages", "at most " + ChatRequestParser.MAX_ITEMS
                    + " messages and tool calls are supported");
        }
        return new ChatRequestParser.Conversion(String.join("\n\n", instructions), items);
    }

    private static void assistant(JsonNode message, String where, List<ConversationItem> items)
            throws BadField {
        JsonNode calls = message.get("tool_calls");
        boolean hasCalls = present(calls);
        if (present(message.get("content")) || !hasCalls) {
            if (!present(message.get("content"))) {
                throw BadField.missing(where + ".content");
            }
            items.add(message("assistant", "output_text", text(message.get("content"), where, false)));
        }
        if (!hasCalls) {
            return;
        }
        if (!calls.isArray()) {
            throw BadField.invalid(where + ".tool_calls", "tool_calls must be an array");
        }
        for (int j = 0; j < calls.size(); j++) {
            String at = where + ".tool_calls[" + j + "]";
            JsonNode call = calls.get(j);
            if (!call.isObject()) {
                throw BadField.invalid(at, at + " must be an object");
            }
            JsonNode function = call.get("function");
            if (function == null || !function.isObject()) {
                throw BadField.missing(at + ".function");
            }
            JsonNode arguments = function.get("arguments");
            if (present(arguments) && !arguments.isTextual()) {
                throw BadField.invalid(at + ".function.arguments", "arguments must be a JSON string");
            }
            items.add(new ConversationItem(Optional.empty(), "function_call", Optional.empty(), Optional.empty(),
                    Optional.empty(), List.of(), Optional.of(requiredString(call, "id", at + ".id")),
                    Optional.of(requiredString(function, "name", at + ".function.name")),
                    Optional.of(present(arguments) ? arguments.asText() : "{}"), Optional.empty()));
        }
    }

    private static ConversationItem toolOutput(JsonNode message, String where) throws BadField {
        String callId = requiredString(message, "tool_call_id", where + ".tool_call_id");
        return new ConversationItem(Optional.empty(), "function_call_output", Optional.empty(), Optional.empty(),
                Optional.empty(), List.of(), Optional.of(callId), Optional.empty(), Optional.empty(),
                Optional.of(text(message.get("content"), where, true)));
    }

    private static ConversationItem message(String role, String partType, String text) {
        return new ConversationItem(Optional.empty(), "message", Optional.empty(), Optional.empty(),
                Optional.of(role), List.of(ContentPart.text(partType, text)), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty());
    }

    /** String content, or text parts joined with newlines. */
    private static String text(JsonNode content, String where, boolean required) throws BadField {
        if (!present(content)) {
            if (required) {
                throw BadField.missing(where + ".content");
            }
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (!content.isArray()) {
            throw BadField.invalid(where + ".content", "content must be a string or an array of text parts");
        }
        List<String> texts = new ArrayList<>();
        for (int k = 0; k < content.size(); k++) {
            JsonNode part = content.get(k);
            String at = where + ".content[" + k + "]";
            if (!part.isObject() || !"text".equals(part.path("type").asText())) {
                throw BadField.invalid(at + ".type", "only text content parts are supported");
            }
            texts.add(requiredText(part, at));
        }
        return String.join("\n", texts);
    }

    private static String requiredText(JsonNode part, String at) throws BadField {
        JsonNode text = part.get("text");
        if (text == null || !text.isTextual()) {
            throw BadField.invalid(at + ".text", "a text part needs a string 'text'");
        }
        return text.asText();
    }
}
