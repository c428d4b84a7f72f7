package dev.switchboard.bridge.sse;

/**
 * One server-sent event.
 *
 * @param event the {@code event:} field, or {@code message} when absent
 * @param data the {@code data:} lines joined with {@code \n}
 * @param id the {@code id:} field, or empty
 */
public record SseEvent(String event, String data, String id) {
}
