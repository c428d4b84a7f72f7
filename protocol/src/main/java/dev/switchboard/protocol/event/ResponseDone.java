package dev.switchboard.protocol.event;

/**
 * {@code response.done: the last event of every response, with its final status}.
 */
public record ResponseDone(RealtimeResponse response) implements ServerEvent {
    public ResponseDone {
        Defaults.nonNull(response, "response");
    }
}
