package dev.switchboard.protocol.event;

/**
 * {@code response.content_part.done}.
 */
public record ResponseContentPartDone(String responseId, String itemId, int outputIndex, int contentIndex,
                                       ContentPart part)
        implements ServerEvent {
}
