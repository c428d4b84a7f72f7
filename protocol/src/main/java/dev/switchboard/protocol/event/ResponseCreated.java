package dev.switchboard.protocol.event;

/**
 * {@code response.created}.
 */
public record ResponseCreated(RealtimeResponse response) implements ServerEvent {
    public ResponseCreated {
        Defaults.nonNull(response, "response");
    }
}
