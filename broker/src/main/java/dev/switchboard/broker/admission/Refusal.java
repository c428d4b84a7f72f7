package dev.switchboard.broker.admission;

import dev.switchboard.protocol.close.CloseReason;

/**
 * Every reason the broker refuses a connection or a request before a provider is involved, each mapped here, once,
 * to every shape a transport needs: the HTTP status and OpenAI error {@code type}, the {@code error.code} of the
 * JSON body and of a WebSocket {@code error} event, and the close code when a WebSocket connection is closed for
 * it. A new refusal (a guardrail's) is added here and every transport speaks it.
 */
public enum Refusal {
    /** No API key in the request. */
    MISSING_API_KEY(401, "invalid_api_key", CloseReason.POLICY_VIOLATION),
    /** An API key no tenant has. */
    INVALID_API_KEY(401, "invalid_api_key", CloseReason.POLICY_VIOLATION),
    /** The model is required and was not given. */
    MISSING_MODEL(400, "missing_model", CloseReason.POLICY_VIOLATION),
    /** No such model is configured. */
    MODEL_NOT_FOUND(404, "model_not_found", CloseReason.POLICY_VIOLATION),
    /** The tenant may not use the model. */
    MODEL_NOT_ALLOWED(403, "model_not_allowed", CloseReason.POLICY_VIOLATION),
    /** The endpoint does not take this method. */
    METHOD_NOT_ALLOWED(405, "method_not_allowed", CloseReason.POLICY_VIOLATION),
    /** The tenant is over a rate, token or concurrency limit; retry after the refusal's {@code Retry-After}. */
    RATE_LIMITED(429, "rate_limit_exceeded", CloseReason.RATE_LIMITED),
    /** Over a requests-per-minute limit (OpenAI's {@code error.type} {@code requests}). */
    REQUESTS_LIMITED(429, "rate_limit_exceeded", CloseReason.RATE_LIMITED, "requests"),
    /** Over a tokens-per-minute limit (OpenAI's {@code error.type} {@code tokens}). */
    TOKENS_LIMITED(429, "rate_limit_exceeded", CloseReason.RATE_LIMITED, "tokens"),
    /** Over a concurrent sessions or responses limit ({@code error.type} {@code concurrency}). */
    CONCURRENCY_LIMITED(429, "rate_limit_exceeded", CloseReason.RATE_LIMITED, "concurrency"),
    /** A budget is spent for its period (OpenAI's {@code insufficient_quota}). */
    INSUFFICIENT_QUOTA(429, "insufficient_quota", CloseReason.QUOTA_EXHAUSTED, "insufficient_quota"),
    /** The tenant's content policy blocks the request's input; the message names the rule, never the text. */
    CONTENT_POLICY_VIOLATION(400, "content_policy_violation", CloseReason.POLICY_VIOLATION),
    /** The usage store cannot answer and the tenant's guardrails fail closed: retry shortly. */
    GUARDRAIL_UNAVAILABLE(503, "guardrail_unavailable", CloseReason.INTERNAL_ERROR),
    /** Audit records cannot be written and the audit log fails closed: retry shortly. */
    AUDIT_UNAVAILABLE(503, "audit_unavailable", CloseReason.INTERNAL_ERROR),
    /** The broker is draining for a restart: retry shortly, on another instance or this one once it is back. */
    DRAINING(503, "service_unavailable", CloseReason.SERVICE_RESTART);

    private final int httpStatus;
    private final String code;
    private final CloseReason closeReason;
    private final String errorType;

    Refusal(int httpStatus, String code, CloseReason closeReason) {
        this(httpStatus, code, closeReason, errorTypeFor(httpStatus));
    }

    Refusal(int httpStatus, String code, CloseReason closeReason, String errorType) {
        this.httpStatus = httpStatus;
        this.code = code;
        this.closeReason = closeReason;
        this.errorType = errorType;
    }

    /** The refusal with error code {@code code}, if one has it (several may share a code; any one serves). */
    public static java.util.Optional<Refusal> forCode(String code) {
        for (Refusal refusal : values()) {
            if (refusal.code.equals(code)) {
                return java.util.Optional.of(refusal);
            }
        }
        return java.util.Optional.empty();
    }

    /** The HTTP status of a refused request. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The {@code error.code}, in the HTTP body and in a WebSocket {@code error} event. */
    public String code() {
        return code;
    }

    /**
     * OpenAI's {@code error.type} of this refusal: the rate limits' own ({@code requests}, {@code tokens},
     * {@code concurrency}, {@code insufficient_quota}, as OpenAI's 429 bodies say), else by status
     * ({@link #errorTypeFor}).
     */
    public String errorType() {
        return errorType;
    }

    /**
     * OpenAI's {@code error.type} for an HTTP status, the one rule for every error the broker answers:
     * {@code rate_limit_error} for 429, {@code server_error} for 5xx, else {@code invalid_request_error}.
     */
    public static String errorTypeFor(int httpStatus) {
        if (httpStatus == 429) {
            return "rate_limit_error";
        }
        return httpStatus >= 500 ? "server_error" : "invalid_request_error";
    }

    /** The close code when a WebSocket connection is closed for this refusal (after its {@code error} event). */
    public CloseReason closeReason() {
        return closeReason;
    }
}
