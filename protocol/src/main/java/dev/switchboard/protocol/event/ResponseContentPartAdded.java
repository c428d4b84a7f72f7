package dev.switchboard.protocol.event;

/**
 * {@code response.content_part.added}.
 */
public record ResponseContentPartAdded(String responseId, String itemId, int outputIndex, int contentIndex,
                                       ContentPart part)
        implements ServerEvent {
    public ResponseContentPartAdded {
        Defaults.nonNull(responseId, "response_id");
        Defaults.nonNull(itemId, "item_id");
        Defaults.nonNull(part, "part");
    }
}
