package dev.switchboard.protocol.event;

/**
 * {@code session.update}: patch the session configuration.
 *
 * @param eventId client event id or empty
 * @param session the fields to change
 */
public record SessionUpdate(String eventId, SessionConfig session) implements ClientEvent {
    public SessionUpdate {
        eventId = Defaults.string(eventId);
        if (session == null) {
            throw InvalidFieldException.missing("session", "session");
        }
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.onSessionUpdate(this);
    }
}
