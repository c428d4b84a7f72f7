package dev.switchboard.protocol.event;

/**
 * {@code response.output_item.added}.
 */
public record ResponseOutputItemAdded(String responseId, int outputIndex, ConversationItem item)
        implements ServerEvent {
}
