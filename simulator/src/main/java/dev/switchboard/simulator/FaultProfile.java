package dev.switchboard.simulator;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The faults a {@code /faults/{spec}/v1/...} path injects, parsed by {@link FaultSpecParser}. Immutable.
 *
 * <p>A profile has at most one way of refusing the request outright ({@link Rejection}), which is applied as
 * soon as the body has been read and before it is validated, as a provider's front door would. Everything else
 * shapes an accepted request: {@code ttftMs} replaces the first-token delay and {@link StreamFaults} changes how
 * a streamed body is written or ended. {@code rejectPrefill} applies only to prefill requests.
 *
 * @param spec          the path segment exactly as requested, the key of the {@code fail_first} counter
 * @param rejection     how to refuse the request before validating it, if at all
 * @param ttftMs        first-token delay replacing the {@code sim_ttft_ms} knob
 * @param stream        changes to a streamed response; {@link StreamFaults#NONE} for none
 * @param rejectPrefill whether a request whose last message is the assistant's is refused with 400
 * @param failFirst     how many arrivals on this spec path get the faults; empty for every arrival
 */
record FaultProfile(String spec, Optional<Rejection> rejection, OptionalLong ttftMs, StreamFaults stream,
        boolean rejectPrefill, OptionalLong failFirst) {

    /** The plain {@code /v1} endpoints: no faults. */
    static final FaultProfile NONE = new FaultProfile("", Optional.empty(), OptionalLong.empty(), StreamFaults.NONE,
            false, OptionalLong.empty());

    FaultProfile {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(rejection, "rejection");
        Objects.requireNonNull(ttftMs, "ttftMs");
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(failFirst, "failFirst");
    }

    /** Whether an accepted request is changed: a replaced TTFT, or stream faults on a streamed request. */
    boolean shapes(boolean streaming) {
        return ttftMs.isPresent() || (streaming && !stream.equals(StreamFaults.NONE));
    }

    /** A way of refusing a request instead of answering it with a completion. */
    sealed interface Rejection permits Status, Reset, NoResponse {
    }

    /**
     * Answer with an error status and the provider's error JSON.
     *
     * @param status            HTTP status, 400–599
     * @param retryAfterSeconds value of a {@code Retry-After} header, if one is sent
     * @param code              a specific provider error to imitate, if any
     */
    record Status(int status, OptionalLong retryAfterSeconds, Optional<ErrorCode> code) implements Rejection {
        Status {
            Objects.requireNonNull(retryAfterSeconds, "retryAfterSeconds");
            Objects.requireNonNull(code, "code");
        }
    }

    /** Close the TCP connection with a reset, before any response byte. */
    record Reset() implements Rejection {
    }

    /** Never answer: hold the exchange until the connection fails or the simulator closes. */
    record NoResponse() implements Rejection {
    }

    /** Provider errors that clients treat specially, named by their OpenAI {@code code}. */
    enum ErrorCode {
        CONTEXT_LENGTH_EXCEEDED("context_length_exceeded"),
        CONTENT_POLICY_VIOLATION("content_policy_violation");

        private final String wireName;

        ErrorCode(String wireName) {
            this.wireName = wireName;
        }

        String wireName() {
            return wireName;
        }
    }
}
