package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import org.eclipse.jetty.http.HttpStatus;
import org.jspecify.annotations.Nullable;

/**
 * The errors the Realtime endpoint reports in-band, as {@code error} events, and the one way such an event is
 * built. Validation shared with the HTTP endpoints produces the same {@link OpenAiError}s ({@code code},
 * {@code message}, {@code param}); the HTTP status is irrelevant here. None of them closes the connection.
 */
final class RealtimeErrors {

    /** The {@code type} of every error caused by a client event. */
    static final String INVALID_REQUEST = OpenAiError.INVALID_REQUEST;

    private RealtimeErrors() {
    }

    /**
     * The {@code error} event for {@code error}; {@code clientEventId} is the {@code event_id} of the client event
     * that caused it, when it had one.
     */
    static ObjectNode event(EventWriter out, OpenAiError error, @Nullable String clientEventId) {
        ObjectNode event = out.event("error");
        ObjectNode detail = event.putObject("error");
        detail.put("type", error.type());
        detail.put("code", error.code().orElse(null));
        detail.put("message", error.message());
        detail.put("param", error.param().orElse(null));
        detail.put("event_id", clientEventId);
        return event;
    }

    static OpenAiError invalidJson() {
        return of("invalid_json", "The event is not a valid JSON object.", null);
    }

    static OpenAiError binaryFrame() {
        return of("invalid_value", "Binary frames are not supported; send JSON events as text frames.", null);
    }

    static OpenAiError unknownEventType(String type) {
        return of("invalid_value", "Invalid value: '" + type + "'. The simulator does not support this event type.",
                "type");
    }

    static OpenAiError itemNotFound(String param, String id) {
        return of("item_not_found", "Item with id '" + id + "' not found in the conversation.", param);
    }

    static OpenAiError itemAlreadyExists(String id) {
        return of("item_already_exists", "Item with id '" + id + "' already exists in the conversation.", "item.id");
    }

    static OpenAiError activeResponse(String responseId) {
        return of("conversation_already_has_active_response",
                "Conversation already has an active response in progress: " + responseId
                        + ". Wait until the response is finished before creating a new one.", null);
    }

    static OpenAiError cancelNotActive() {
        return of("response_cancel_not_active", "Cancellation failed: no active response found.", null);
    }

    static OpenAiError responseNotFound(String responseId) {
        return of("response_not_found", "Response '" + responseId + "' is not the active response.", "response_id");
    }

    static OpenAiError commitEmpty(long bufferedMs) {
        return of("input_audio_buffer_commit_empty", "Error committing input audio buffer: buffer too small. "
                + "Expected at least 100ms of audio, but buffer only has " + bufferedMs + "ms of audio.", null);
    }

    private static OpenAiError of(String code, String message, @Nullable String param) {
        return new OpenAiError(HttpStatus.BAD_REQUEST_400, message, INVALID_REQUEST, Optional.ofNullable(param),
                Optional.of(code));
    }
}
