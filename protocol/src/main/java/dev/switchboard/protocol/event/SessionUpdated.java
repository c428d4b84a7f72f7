package dev.switchboard.protocol.event;

/**
 * {@code session.updated: the effective session after an update}.
 */
public record SessionUpdated(SessionConfig session) implements ServerEvent {
    public SessionUpdated {
        Defaults.nonNull(session, "session");
    }
}
