package dev.switchboard.protocol.event;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A client event whose type we do not model. Kept as raw JSON so a relay upstream can receive it untouched;
 * a route that cannot serve it answers with an {@code error} naming the type. Not listed in
 * {@code @JsonSubTypes}: the codec builds it when the type is unknown.
 *
 * @param eventId client event id or empty
 * @param type the wire type
 * @param raw the whole event as received; callers must not mutate it
 */
public record UnknownClientEvent(String eventId, String type, ObjectNode raw) implements ClientEvent {
    public UnknownClientEvent {
        eventId = Defaults.string(eventId);
        type = Defaults.require(type, "type");
        raw = raw.deepCopy();
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.onUnknown(this);
    }
}
