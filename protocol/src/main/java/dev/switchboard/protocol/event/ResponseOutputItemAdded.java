package dev.switchboard.protocol.event;

/**
 * {@code response.output_item.added}.
 */
public record ResponseOutputItemAdded(String responseId, int outputIndex, ConversationItem item)
        implements ServerEvent {
    public ResponseOutputItemAdded {
        Defaults.nonNull(responseId, "response_id");
        Defaults.nonNull(item, "item");
    }
}
