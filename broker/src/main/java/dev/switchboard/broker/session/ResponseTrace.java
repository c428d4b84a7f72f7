package dev.switchboard.broker.session;

import java.time.Duration;
import java.util.Map;

/**
 * What tracing sees of one response: its upstream attempts, what happened to it on the way (retries, failovers, a
 * cancel, a barge-in) and how it ended. Sessions report here; {@code telemetry.Tracing} turns it into
 * OpenTelemetry spans (a server span per response, a client span per attempt). Without a trace exporter every
 * method is the empty default of {@link #NONE}, so an untraced response pays one interface call per fact and
 * allocates nothing.
 *
 * <p>Threading: called on the session's shard thread only, never concurrently for one response; implementations
 * must not block (no I/O, no lock held by another thread for long): finished spans are handed to the exporter's
 * queue. Only ids and broker words are passed, never prompt or completion text.
 */
public interface ResponseTrace {

    /** Tracing off. */
    ResponseTrace NONE = new ResponseTrace() {
    };

    /**
     * An attempt on {@code provider} for {@code upstreamModel} starts (an attempt still open is ended first).
     *
     * @return the headers to send with the attempt's provider request (a W3C {@code traceparent} naming the
     *     attempt's span); empty when tracing is off
     */
    default Map<String, String> attemptStarted(String provider, String upstreamModel) {
        return Map.of();
    }

    /**
     * The current attempt completed.
     *
     * @param finishReason as the provider gave it ({@code stop}, {@code length}, {@code tool_calls}, …)
     * @param responseModel the model that answered, as the provider named it; empty when unknown
     */
    default void attemptCompleted(String finishReason, String responseModel, long inputTokens, long outputTokens) {
    }

    /** The current attempt failed with {@code errorCode} (a close-reason word such as {@code upstream_timeout}). */
    default void attemptFailed(String errorCode) {
    }

    /** The response waits {@code delay} to retry on {@code provider} after its attempt failed. */
    default void retry(String provider, Duration delay) {
    }

    /**
     * The response moves from one target to another ({@code mode}: {@code continue} the text or {@code restart})
     * after a failure {@code cause}.
     */
    default void failover(String fromProvider, String fromModel, String toProvider, String toModel, String cause,
                          String mode) {
    }

    /** The response was cut off for {@code reason}: {@code barge_in} for a voice interruption, else a cancel. */
    default void cut(String reason, boolean bargeIn) {
    }

    /** The response ended (after any of the above); an attempt still open ends with it. */
    default void ended(ResponseHooks.ResponseRecord record) {
    }

    /** The trace and span ids, as log-line MDC entries, of the response's current span; empty when off. */
    default Map<String, String> logContext() {
        return Map.of();
    }

    /**
     * A relayed session's connection to its Realtime provider, as a client span from the connect until the provider
     * greets it ({@code session.created}) or the connect fails.
     */
    interface Connection {
        /** Tracing off. */
        Connection NONE = new Connection() {
        };

        /** The headers for the WebSocket upgrade request (a W3C {@code traceparent}); empty when tracing is off. */
        default Map<String, String> headers() {
            return Map.of();
        }

        /** The provider greeted the session; the span ends. Idempotent. */
        default void opened() {
        }

        /** The connection failed with {@code errorCode} before or after it opened; the span ends if open. */
        default void failed(String errorCode) {
        }
    }

    /**
     * Starts traces. Thread-safe; called on shard threads.
     */
    interface Factory {
        /** Tracing off: every trace is {@link ResponseTrace#NONE}. */
        Factory NONE = new Factory() {
            @Override
            public ResponseTrace response(ResponseHooks.ResponseInfo response, String clientTraceParent,
                                          String operation, String requestModel, long startNanos) {
                return ResponseTrace.NONE;
            }

            @Override
            public Connection connection(ResponseHooks.SessionInfo session, String clientTraceParent,
                                         String provider, String upstreamModel) {
                return Connection.NONE;
            }
        };

        /**
         * A response starts.
         *
         * @param clientTraceParent the W3C {@code traceparent} the client sent when it opened the session (its
         *     trace is continued), or empty
         * @param operation {@code chat} (SSE providers) or {@code realtime} (a relayed Realtime session)
         * @param requestModel the client-facing model
         * @param startNanos when the response was asked for ({@link System#nanoTime()})
         */
        ResponseTrace response(ResponseHooks.ResponseInfo response, String clientTraceParent, String operation,
                               String requestModel, long startNanos);

        /** A relayed session connects to {@code provider} for {@code upstreamModel}. */
        Connection connection(ResponseHooks.SessionInfo session, String clientTraceParent, String provider,
                              String upstreamModel);
    }
}
