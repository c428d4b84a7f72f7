package dev.switchboard.protocol.event;

import java.util.Optional;

/**
 * {@code response.cancel}: cancel the in-progress response.
 *
 * @param eventId client event id or empty
 * @param responseId the response to cancel; absent means the active one
 */
public record ResponseCancel(String eventId, Optional<String> responseId) implements ClientEvent {
    public ResponseCancel {
        eventId = Defaults.string(eventId);
        responseId = Defaults.optional(responseId);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.onResponseCancel(this);
    }
}
