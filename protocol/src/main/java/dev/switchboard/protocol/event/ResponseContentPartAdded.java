package dev.switchboard.protocol.event;

/**
 * {@code response.content_part.added}.
 */
public record ResponseContentPartAdded(String responseId, String itemId, int outputIndex, int contentIndex,
                                       ContentPart part)
        implements ServerEvent {
}
