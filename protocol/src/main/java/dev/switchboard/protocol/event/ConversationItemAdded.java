package dev.switchboard.protocol.event;

import java.util.Optional;

/**
 * {@code conversation.item.added}.
 */
public record ConversationItemAdded(Optional<String> previousItemId, ConversationItem item) implements ServerEvent {
    public ConversationItemAdded {
        previousItemId = Defaults.optional(previousItemId);
        Defaults.nonNull(item, "item");
    }
}
