package dev.switchboard.protocol.event;

import java.util.Optional;

/**
 * {@code conversation.item.create}: add an item to the conversation.
 *
 * @param eventId client event id or empty
 * @param previousItemId insert after this item; absent appends
 * @param item the item
 */
public record ConversationItemCreate(String eventId, Optional<String> previousItemId, ConversationItem item)
        implements ClientEvent {
    public ConversationItemCreate {
        eventId = Defaults.string(eventId);
        previousItemId = Defaults.optional(previousItemId);
        if (item == null) {
            throw InvalidFieldException.missing("item", "item");
        }
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.onConversationItemCreate(this);
    }
}
