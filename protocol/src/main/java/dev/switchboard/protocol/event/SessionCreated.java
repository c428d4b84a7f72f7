package dev.switchboard.protocol.event;

/**
 * {@code session.created: the first event of every session}.
 */
public record SessionCreated(SessionConfig session) implements ServerEvent {
    public SessionCreated {
        Defaults.nonNull(session, "session");
    }
}
