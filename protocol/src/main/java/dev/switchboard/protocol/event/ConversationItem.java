package dev.switchboard.protocol.event;

import java.util.List;
import java.util.Optional;

/**
 * A Realtime conversation item: a {@code message}, {@code function_call} or {@code function_call_output}.
 *
 * @param id the item id; the broker assigns one when the client leaves it empty
 * @param type the item type, required
 * @param object always {@code realtime.item} on output
 * @param status {@code in_progress}, {@code completed} or {@code incomplete}
 * @param role for messages: {@code system}, {@code user} or {@code assistant}
 * @param content for messages: the content parts
 * @param callId for function calls and their outputs
 * @param name for function calls
 * @param arguments for function calls: the JSON arguments text
 * @param output for function call outputs
 */
public record ConversationItem(
        Optional<String> id,
        String type,
        Optional<String> object,
        Optional<String> status,
        Optional<String> role,
        List<ContentPart> content,
        Optional<String> callId,
        Optional<String> name,
        Optional<String> arguments,
        Optional<String> output) {

    public ConversationItem {
        type = Defaults.require(type, "item.type");
        id = Defaults.optional(id);
        object = Defaults.optional(object);
        status = Defaults.optional(status);
        role = Defaults.optional(role);
        content = Defaults.list(content);
        callId = Defaults.optional(callId);
        name = Defaults.optional(name);
        arguments = Defaults.optional(arguments);
        output = Defaults.optional(output);
    }

    /** A message item with the given id, role, status and parts. */
    public static ConversationItem message(String id, String role, String status, List<ContentPart> content) {
        return new ConversationItem(Optional.of(id), "message", Optional.of("realtime.item"), Optional.of(status),
                Optional.of(role), content, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** A copy with the given id and {@code object: realtime.item}. */
    public ConversationItem withId(String newId) {
        return new ConversationItem(Optional.of(newId), type, Optional.of("realtime.item"), status, role, content,
                callId, name, arguments, output);
    }

    /** A copy with the given status. */
    public ConversationItem withStatus(String newStatus) {
        return new ConversationItem(id, type, object, Optional.of(newStatus), role, content, callId, name,
                arguments, output);
    }

    /** A copy with the given content parts. */
    public ConversationItem withContent(List<ContentPart> parts) {
        return new ConversationItem(id, type, object, status, role, parts, callId, name, arguments, output);
    }

    /** The concatenated text of all content parts. */
    /** The length of {@link #text()}, without building it. */
    public long textLength() {
        long length = 0;
        for (ContentPart part : content) {
            length += part.textOrTranscript().length();
        }
        return length;
    }

    public String text() {
        StringBuilder sb = new StringBuilder();
        for (ContentPart part : content) {
            sb.append(part.textOrTranscript());
        }
        return sb.toString();
    }
}
