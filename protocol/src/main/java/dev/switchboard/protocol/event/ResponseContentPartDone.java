package dev.switchboard.protocol.event;

/**
 * {@code response.content_part.done}.
 */
public record ResponseContentPartDone(String responseId, String itemId, int outputIndex, int contentIndex,
                                       ContentPart part)
        implements ServerEvent {
    public ResponseContentPartDone {
        Defaults.nonNull(responseId, "response_id");
        Defaults.nonNull(itemId, "item_id");
        Defaults.nonNull(part, "part");
    }
}
