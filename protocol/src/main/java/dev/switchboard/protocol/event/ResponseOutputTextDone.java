package dev.switchboard.protocol.event;

/**
 * {@code response.output_text.done}.
 */
public record ResponseOutputTextDone(String responseId, String itemId, int outputIndex, int contentIndex, String text)
        implements ServerEvent {
    public ResponseOutputTextDone {
        Defaults.nonNull(responseId, "response_id");
        Defaults.nonNull(itemId, "item_id");
        Defaults.nonNull(text, "text");
    }
}
