package dev.switchboard.protocol.event;

/**
 * {@code response.output_text.delta}.
 */
public record ResponseOutputTextDelta(String responseId, String itemId, int outputIndex, int contentIndex, String delta)
        implements ServerEvent {
    public ResponseOutputTextDelta {
        Defaults.nonNull(responseId, "response_id");
        Defaults.nonNull(itemId, "item_id");
        Defaults.nonNull(delta, "delta");
    }

    @Override
    public boolean streamedDelta() {
        return true;
    }
}
