package dev.switchboard.protocol.event;

/**
 * {@code error}.
 */
public record ErrorEvent(ErrorDetail error) implements ServerEvent {
}
