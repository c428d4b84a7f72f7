package dev.switchboard.bridge.sse;

/** The provider's byte stream is not valid {@code text/event-stream}. */
public final class SseFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SseFormatException(String message) {
        super(message);
    }
}
