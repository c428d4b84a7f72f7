package dev.switchboard.protocol.event;

import java.util.Optional;

/**
 * {@code conversation.item.done}.
 */
public record ConversationItemDone(Optional<String> previousItemId, ConversationItem item) implements ServerEvent {
    public ConversationItemDone {
        previousItemId = Defaults.optional(previousItemId);
        Defaults.nonNull(item, "item");
    }
}
