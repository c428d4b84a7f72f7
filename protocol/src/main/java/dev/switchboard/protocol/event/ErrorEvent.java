package dev.switchboard.protocol.event;

/**
 * {@code error}.
 */
public record ErrorEvent(ErrorDetail error) implements ServerEvent {
    public ErrorEvent {
        Defaults.nonNull(error, "error");
    }
}
