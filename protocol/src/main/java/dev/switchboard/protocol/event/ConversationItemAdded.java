package dev.switchboard.protocol.event;

import java.util.Optional;

/**
 * {@code conversation.item.added}.
 */
public record ConversationItemAdded(Optional<String> previousItemId, ConversationItem item) implements ServerEvent {
}
