package dev.switchboard.protocol.close;

/**
 * Why a connection or an upstream stream ended, with the WebSocket close code used when it ends a connection,
 * the {@code error.code} used when it ends a response, and whether retrying (or resuming) can help.
 *
 * <p>Codes 4000–4999 are WebSocket private-use codes; they are documented in {@code docs/protocol.md}.
 */
public enum CloseReason {
    /** The client or the broker closed normally. */
    NORMAL(1000, "normal_closure", false),
    /** The broker is restarting or draining: reconnect (and resume). */
    SERVICE_RESTART(1012, "service_restart", true),
    /** The connection broke a rule that retrying will not fix. */
    POLICY_VIOLATION(1008, "policy_violation", false),
    /** An unexpected broker error. */
    INTERNAL_ERROR(1011, "internal_error", true),
    /** The client read too slowly; its outbound buffer stayed full. Reconnect and resume. */
    SLOW_CONSUMER(4008, "slow_consumer", true),
    /**
     * The tenant is over one of its own limits (requests, tokens, concurrency): wait for the {@code Retry-After}
     * the refusal names, then reconnect.
     */
    RATE_LIMITED(4029, "rate_limit_exceeded", true),
    /** The tenant's budget is spent for the period: no new response starts until the next period. */
    QUOTA_EXHAUSTED(4402, "insufficient_quota", false),
    /** The session reached the tenant's {@code session_max_duration}: start a new session. */
    SESSION_MAX_DURATION(4040, "session_max_duration", false),
    /** The session had no client event for the tenant's {@code session_idle_timeout}: start a new session. */
    SESSION_IDLE_TIMEOUT(4041, "session_idle_timeout", false),
    /**
     * An administrator ended the session ({@code DELETE /admin/sessions/{id}}): it has ended for good and a resume is
     * refused. A new session may be started (unless the key was revoked).
     */
    SESSION_ENDED_BY_ADMIN(4042, "session_ended_by_admin", false),
    /**
     * A configuration reload revoked the API key the session was opened with, and was asked to end such sessions:
     * reconnect with a valid key.
     */
    API_KEY_REVOKED(4043, "api_key_revoked", false),
    /** Another connection resumed this session. */
    SESSION_TAKEN_OVER(4009, "session_taken_over", false),
    /** A resume was refused (invalid or expired token, or a position the replay log no longer holds): start fresh. */
    RESUME_FAILED(4410, "resume_failed", false),
    /** The provider could not be reached or answered with a server error. */
    UPSTREAM_UNAVAILABLE(4502, "upstream_unavailable", true),
    /** The provider sent no first token or stalled past the configured timeout. */
    UPSTREAM_TIMEOUT(4504, "upstream_timeout", true),
    /** The provider rate-limited the request. */
    UPSTREAM_RATE_LIMITED(4429, "upstream_rate_limited", true),
    /** The provider refused the request as invalid (a 4xx other than auth and rate limits). */
    UPSTREAM_REJECTED(4400, "upstream_rejected", false),
    /** The prompt does not fit the model's context window: never retried on the same model. */
    UPSTREAM_CONTEXT_LENGTH(4413, "upstream_context_length_exceeded", false),
    /** The provider's content policy refused the request: never retried anywhere; its reason is passed on. */
    UPSTREAM_CONTENT_POLICY(4451, "upstream_content_policy", false),
    /** The provider refused the broker's credentials. */
    UPSTREAM_AUTH(4401, "upstream_auth_failed", false),
    /** The provider's stream ended without its terminator, or sent an in-band error mid-stream. */
    UPSTREAM_STREAM_BROKEN(4503, "upstream_stream_broken", true);

    private final int wireCode;
    private final String errorCode;
    private final boolean retryable;

    CloseReason(int wireCode, String errorCode, boolean retryable) {
        this.wireCode = wireCode;
        this.errorCode = errorCode;
        this.retryable = retryable;
    }

    /** The WebSocket close status code. */
    public int wireCode() {
        return wireCode;
    }

    /** The {@code error.code} reported in {@code error} events and failed responses. */
    public String errorCode() {
        return errorCode;
    }

    /** Whether retrying, failing over or resuming can succeed. */
    public boolean isRetryable() {
        return retryable;
    }
}
