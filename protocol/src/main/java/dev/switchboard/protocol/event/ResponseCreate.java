package dev.switchboard.protocol.event;

/**
 * {@code response.create}: start a response.
 *
 * @param eventId client event id or empty
 * @param response per-response overrides; all absent when the client sent none
 */
public record ResponseCreate(String eventId, ResponseParams response) implements ClientEvent {
    public ResponseCreate {
        eventId = Defaults.string(eventId);
        response = response == null ? ResponseParams.none() : response;
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.onResponseCreate(this);
    }
}
