package dev.switchboard.protocol.event;

/**
 * {@code response.output_item.done}.
 */
public record ResponseOutputItemDone(String responseId, int outputIndex, ConversationItem item) implements ServerEvent {
    public ResponseOutputItemDone {
        Defaults.nonNull(responseId, "response_id");
        Defaults.nonNull(item, "item");
    }
}
