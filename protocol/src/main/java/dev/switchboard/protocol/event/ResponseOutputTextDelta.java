package dev.switchboard.protocol.event;

/**
 * {@code response.output_text.delta}.
 */
public record ResponseOutputTextDelta(String responseId, String itemId, int outputIndex, int contentIndex, String delta)
        implements ServerEvent {

    @Override
    public boolean streamedDelta() {
        return true;
    }
}
