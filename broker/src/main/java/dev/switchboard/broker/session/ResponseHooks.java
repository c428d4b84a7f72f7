package dev.switchboard.broker.session;

import dev.switchboard.broker.admission.Admission;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The points where guardrails, metering, audit and webhooks act, called by every session kind — the SSE-bridged
 * WebSocket session, the relayed Realtime session and the chat-completions endpoint (a headless bridged session) —
 * for every response, including failed, cancelled and relayed ones.
 *
 * <h2>Threading</h2>
 * Every method is called on the session's shard thread, in the session's event order, never concurrently for one
 * session (but concurrently for sessions on different shards). Implementations must not block: no I/O, no lock
 * that another thread may hold for long, no waiting. State they share across sessions must be thread-safe and
 * non-blocking (atomics, lock-free maps); anything slow (a write to disk, a network call) is handed to another
 * thread. A hook that throws is a bug: the session logs nothing on its behalf and may fail the response.
 *
 * <h2>Time</h2>
 * Instants come from the broker's injected {@link java.time.InstantSource} ({@code SessionContext.clock()}),
 * durations from {@link System#nanoTime()}.
 */
public interface ResponseHooks {

    /** Hooks that do nothing and allow everything. */
    ResponseHooks NONE = new ResponseHooks() {
        @Override
        public boolean readsContent() {
            return false;
        }
    };

    /**
     * Hooks that call {@code first}, then {@code second}, at every point. A {@code Deny} of either wins (the
     * first's, when both deny; the second is then not asked), two output caps give the smaller, the limits reported
     * are both's, and a delta stops when either says so.
     */
    static ResponseHooks both(ResponseHooks first, ResponseHooks second) {
        if (first == NONE) {
            return second;
        }
        return second == NONE ? first : new BothHooks(first, second);
    }

    /**
     * Whether these hooks read what responses carry: the request's {@code estimatedInputTokens} and the output
     * deltas. Hooks that only count what was decided and what ended (the usage ledger) answer false, and a session
     * may then skip that work: it passes 0 as {@code estimatedInputTokens} and need not call {@link #onOutputDelta}.
     * The answer must not change.
     */
    default boolean readsContent() {
        return true;
    }

    /** A session started (its first connection attached). */
    default void onSessionOpened(SessionInfo session) {
    }

    /**
     * A response was requested; answer whether it may run. On a relayed session input tokens are not known (the
     * conversation lives in the provider: {@code estimatedInputTokens} is 0) and the response id is not known yet
     * (the provider names it in {@code response.created}); a {@link Verdict.Modify} there rewrites the client's
     * {@code response.create} with the new {@code max_output_tokens}. A response a relayed provider starts by
     * itself (its turn detection, {@code create_response: true}) is offered when the provider announces it
     * ({@code response.created}), with its id: it is already running, so a {@link Verdict.Modify} is ignored, and
     * a {@link Verdict.Deny} sends the refusal as an {@code error} event, ends the response {@code cancelled} (the
     * refusal's code as the reason) and cancels it at the provider.
     */
    default Verdict onResponseRequested(ResponseRequest request) {
        return Verdict.ALLOW;
    }

    /**
     * One output delta of a running response: text, function-call arguments, audio (counted in decoded bytes; the
     * base64 text is not given) or an audio transcript. Called before the delta is sent to the client.
     *
     * @param text the delta's text, empty for audio
     * @param audioBytes the decoded audio bytes of an audio delta, else 0
     * @return {@link DeltaVerdict#CONTINUE}, or {@link DeltaVerdict#BUDGET_EXHAUSTED} to stop the response after
     *     this delta: the session sends the delta, ends the response {@code incomplete} with reason
     *     {@code budget_exhausted} and cancels the upstream
     */
    default DeltaVerdict onOutputDelta(ResponseInfo response, DeltaKind kind, String text, int audioBytes) {
        return DeltaVerdict.CONTINUE;
    }

    /** A response ended, whatever its status. Called before its {@code response.done} reaches the client. */
    default void onResponseEnded(ResponseRecord record) {
    }

    /**
     * The provider's own count of a relayed response the broker had already ended for the client (cut by a budget,
     * a barge-in, a refusal): the provider's {@code response.done} arrives after the cut and is not relayed, and
     * {@link #onResponseEnded} has already been called with the broker's count. Its input side (text, audio and
     * cached input tokens) was not known before; the output side was reported delta by delta.
     */
    default void onUsageAfterCut(ResponseRecord record) {
    }

    /** The session ended for good (it can no longer be resumed); {@code reason} is a short code. */
    default void onSessionClosed(SessionInfo session, String reason) {
    }

    /** Which transport a session serves. */
    enum Transport { WEBSOCKET, RELAY, HTTP }

    /** What an output delta carries. */
    enum DeltaKind { TEXT, TOOL_ARGUMENTS, AUDIO, TRANSCRIPT }

    /** Whether a response goes on after a delta. */
    enum DeltaVerdict {
        /** Go on. */
        CONTINUE,
        /** A budget reached zero: stop the response after this delta ({@code incomplete}, {@code budget_exhausted}). */
        BUDGET_EXHAUSTED
    }

    /**
     * The state of one limit that applies to a request, as OpenAI reports it: in {@code rate_limits.updated}
     * ({@code name}, {@code limit}, {@code remaining}, {@code reset_seconds}) and in the {@code x-ratelimit-*}
     * headers ({@code x-ratelimit-limit-requests}, ...).
     *
     * @param name {@code requests} or {@code tokens}
     * @param limit the limit per minute
     * @param remaining what is left of it now
     * @param resetSeconds seconds until it is whole again
     */
    record RateLimit(String name, long limit, long remaining, double resetSeconds) {
    }

    /**
     * A session as hooks see it.
     *
     * @param sessionId the session id
     * @param tenantId the tenant (never a metric tag)
     * @param keyId the non-secret id of the API key used
     * @param model the client-facing model alias
     * @param transport how the client is connected
     */
    record SessionInfo(String sessionId, String tenantId, String keyId, String model, Transport transport) {
    }

    /** One response of a session. */
    record ResponseInfo(SessionInfo session, String responseId) {
    }

    /**
     * A response asked for.
     *
     * @param provider the first target's provider
     * @param upstreamModel the first target's model at the provider
     * @param estimatedInputTokens the prompt's size in tokens, estimated (characters / 4)
     * @param maxOutputTokens the requested cap, if any
     */
    record ResponseRequest(ResponseInfo response, String provider, String upstreamModel, long estimatedInputTokens,
                           OptionalInt maxOutputTokens, Instant at) {
    }

    /** What a hook decides about a requested response. */
    sealed interface Verdict {
        /** Run it. */
        Allow ALLOW = new Allow();

        /** The limits that apply to the request, reported to the client; empty when none do. */
        List<RateLimit> rateLimits();

        /** Run it as asked. */
        record Allow(List<RateLimit> rateLimits) implements Verdict {
            public Allow {
                rateLimits = List.copyOf(rateLimits);
            }

            /** Run it; no limit to report. */
            public Allow() {
                this(List.of());
            }
        }

        /** Refuse it: the client gets the refusal as an {@code error} event (HTTP: its status and body). */
        record Deny(Admission.Refused refusal, List<RateLimit> rateLimits) implements Verdict {
            public Deny {
                rateLimits = List.copyOf(rateLimits);
            }

            /** Refuse it; no limit to report. */
            public Deny(Admission.Refused refusal) {
                this(refusal, List.of());
            }
        }

        /**
         * Decided later: the hook asks a shared store (Redis, issue 17) and must not wait for it on the shard thread.
         * {@code verdict} completes, on any thread, with the final verdict (an {@code Allow}, {@code Deny} or
         * {@code Modify}, never another {@code Pending}) and never exceptionally. The session keeps the response
         * active but admitting: a second {@code response.create} is refused as while it runs, and when the verdict
         * arrives it comes back through the session's ring ({@link SessionSignal.VerdictDue}) and the response goes
         * on exactly as with that verdict given at once. A response that ends while admitting (a cancel, the session
         * ending) ends {@code cancelled} at once, {@link #onResponseEnded} is called for it, and its verdict is
         * ignored when it arrives: a hook that reserved something for it gives it back then.
         */
        record Pending(java.util.concurrent.CompletionStage<Verdict> verdict) implements Verdict {
            @Override
            public List<RateLimit> rateLimits() {
                return List.of();
            }
        }

        /** Run it with another output cap (a budget's remainder); empty means no cap ({@code "inf"}). */
        record Modify(OptionalInt maxOutputTokens, List<RateLimit> rateLimits) implements Verdict {
            public Modify {
                rateLimits = List.copyOf(rateLimits);
            }

            /** Run it with another output cap; no limit to report. */
            public Modify(OptionalInt maxOutputTokens) {
                this(maxOutputTokens, List.of());
            }
        }
    }

    /**
     * A response that ended.
     *
     * @param status {@code completed}, {@code incomplete}, {@code cancelled} or {@code failed}
     * @param reason the status detail ({@code max_output_tokens}, {@code client_cancelled}, an error code), or empty
     * @param inputTokens input tokens as the provider reported them (estimated when it reported none)
     * @param outputTokens output tokens, deltas of abandoned attempts included
     * @param cachedTokens cached input tokens, where the provider reports them, else 0
     * @param audioInputTokens audio input tokens (relayed sessions), else 0
     * @param audioOutputTokens audio output tokens (relayed sessions), else 0
     * @param provider the provider of the last attempt, or empty when none ran
     * @param model the model that answered, as the provider named it, or empty
     * @param failovers how many times the response moved to another target
     * @param timeToFirstToken request to first output delta, if there was one
     * @param duration request to end
     */
    record ResponseRecord(ResponseInfo response, String status, String reason, long inputTokens, long outputTokens,
                          long cachedTokens, long audioInputTokens, long audioOutputTokens, String provider,
                          String model, int failovers, Optional<Duration> timeToFirstToken, Duration duration,
                          Instant endedAt) {
    }
}
