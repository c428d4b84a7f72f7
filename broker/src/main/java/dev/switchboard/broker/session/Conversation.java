package dev.switchboard.broker.session;

import dev.switchboard.protocol.event.ContentPart;
import dev.switchboard.protocol.event.ConversationItem;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** A bounded, ordered list of conversation items. Confined to the session's shard thread. */
final class Conversation {
    private static final Set<String> ROLES = Set.of("user", "system", "assistant");
    private static final Set<String> TEXT_PARTS = Set.of("input_text", "text", "output_text");

    private final int capacity;
    private final ArrayList<ConversationItem> items = new ArrayList<>();

    Conversation(int capacity) {
        this.capacity = capacity;
    }

    /** An immutable snapshot, oldest first. */
    List<ConversationItem> items() {
        return List.copyOf(items);
    }

    void append(ConversationItem item) {
        items.add(item);
        trim();
    }

    /** Inserts after {@code previousId}, or appends when empty; false when {@code previousId} is unknown. */
    boolean insertAfter(Optional<String> previousId, ConversationItem item) {
        if (previousId.isEmpty()) {
            append(item);
            return true;
        }
        int index = indexOf(previousId.get());
        if (index < 0) {
            return false;
        }
        items.add(index + 1, item);
        trim();
        return true;
    }

    boolean contains(String id) {
        return indexOf(id) >= 0;
    }

    /** The id of the item before {@code id}, if any. */
    Optional<String> idBefore(String id) {
        int index = indexOf(id);
        return index > 0 ? items.get(index - 1).id() : Optional.empty();
    }

    private int indexOf(String id) {
        for (int i = items.size() - 1; i >= 0; i--) {
            if (items.get(i).id().filter(id::equals).isPresent()) {
                return i;
            }
        }
        return -1;
    }

    private void trim() {
        while (items.size() > capacity) {
            items.remove(0);
        }
    }

    /** Why a client item cannot be sent to a text chat upstream, if it cannot. */
    static Optional<String> validate(ConversationItem item) {
        switch (item.type()) {
            case "message" -> {
                String role = item.role().orElse("");
                if (!ROLES.contains(role)) {
                    return Optional.of("item.role must be one of " + ROLES + " but was '" + role + "'");
                }
                if (item.content().isEmpty()) {
                    return Optional.of("a message item needs at least one content part");
                }
                for (ContentPart part : item.content()) {
                    if (!TEXT_PARTS.contains(part.type())) {
                        return Optional.of("content type '" + part.type() + "' is not supported by this model: "
                                + "it takes text input only (input_text)");
                    }
                    if (part.text().isEmpty()) {
                        return Optional.of("a " + part.type() + " content part needs 'text'");
                    }
                }
                return Optional.empty();
            }
            case "function_call_output" -> {
                return item.callId().isEmpty() || item.output().isEmpty()
                        ? Optional.of("a function_call_output item needs call_id and output")
                        : Optional.empty();
            }
            case "function_call" -> {
                return item.callId().isEmpty() || item.name().isEmpty()
                        ? Optional.of("a function_call item needs call_id and name")
                        : Optional.empty();
            }
            default -> {
                return Optional.of("item type '" + item.type() + "' is not supported; use message, "
                        + "function_call or function_call_output");
            }
        }
    }

    /** The first problem among {@code items}, if any. */
    static Optional<String> validateAll(List<ConversationItem> items) {
        for (ConversationItem item : items) {
            Optional<String> problem = validate(item);
            if (problem.isPresent()) {
                return problem;
            }
        }
        return Optional.empty();
    }
}
