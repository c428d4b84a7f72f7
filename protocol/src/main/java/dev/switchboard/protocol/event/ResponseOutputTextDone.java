package dev.switchboard.protocol.event;

/**
 * {@code response.output_text.done}.
 */
public record ResponseOutputTextDone(String responseId, String itemId, int outputIndex, int contentIndex, String text)
        implements ServerEvent {
}
