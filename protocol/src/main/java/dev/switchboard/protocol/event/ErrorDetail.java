package dev.switchboard.protocol.event;

import java.util.Optional;

/**
 * The {@code error} object of an {@code error} event.
 *
 * @param type e.g. {@code invalid_request_error}, {@code server_error}
 * @param code a stable machine-readable code, e.g. {@code invalid_json}
 * @param message a human-readable description naming the problem
 * @param param the offending parameter, when there is one
 * @param eventId the {@code event_id} of the client event that caused the error, when known
 * @param retryAfterMs for a refusal that passes (a rate limit), how long to wait before trying again, in
 *     milliseconds; a Switchboard extension ({@code retry_after_ms}), absent otherwise
 */
public record ErrorDetail(String type, String code, String message, Optional<String> param,
                          Optional<String> eventId, Optional<Long> retryAfterMs) {
    public ErrorDetail {
        type = Defaults.require(type, "error.type");
        code = Defaults.require(code, "error.code");
        message = Defaults.string(message);
        param = Defaults.optional(param);
        eventId = Defaults.optional(eventId);
        retryAfterMs = Defaults.optional(retryAfterMs);
    }

    /** An error without a retry time. */
    public ErrorDetail(String type, String code, String message, Optional<String> param, Optional<String> eventId) {
        this(type, code, message, param, eventId, Optional.empty());
    }

    /** An {@code invalid_request_error} with the given code and message. */
    public static ErrorDetail invalidRequest(String code, String message, String clientEventId) {
        return new ErrorDetail("invalid_request_error", code, message, Optional.empty(), nonEmpty(clientEventId));
    }

    /** A copy naming the offending parameter. */
    public ErrorDetail withParam(String newParam) {
        return new ErrorDetail(type, code, message, Optional.of(newParam), eventId, retryAfterMs);
    }

    /** A copy naming the client event that caused the error. */
    public ErrorDetail withEventId(String clientEventId) {
        return new ErrorDetail(type, code, message, param, nonEmpty(clientEventId), retryAfterMs);
    }

    private static Optional<String> nonEmpty(String value) {
        return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
    }
}
