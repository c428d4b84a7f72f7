package dev.switchboard.bridge.upstream;

import dev.switchboard.protocol.close.CloseReason;
import dev.switchboard.protocol.event.Usage;
import java.time.Duration;
import java.util.Optional;

/** How an upstream stream ended. */
public sealed interface UpstreamOutcome {

    /**
     * The provider finished the answer.
     *
     * @param finishReason the provider's reason, normalised: {@code stop}, {@code length}, {@code tool_calls},
     *     {@code content_filter}
     * @param usage token usage as reported by the provider, or estimated when it reported none
     * @param model the model that actually answered, as the provider named it
     */
    record Completed(String finishReason, Usage usage, String model) implements UpstreamOutcome {
    }

    /**
     * The stream failed.
     *
     * @param reason the failure class; {@link CloseReason#isRetryable()} says whether another attempt can help
     * @param message a description safe to show the client: never contains provider secrets
     * @param retryAfter the provider's {@code Retry-After}, when it sent one
     * @param providerDetail the provider's own error text, redacted ({@link ProviderText#redact}), for the broker's
     *     log only: never shown to a client (it may describe the broker's credentials)
     */
    record Failed(CloseReason reason, String message, Optional<Duration> retryAfter, Optional<String> providerDetail)
            implements UpstreamOutcome {

        /** A failure described in the broker's own words only. */
        public Failed(CloseReason reason, String message, Optional<Duration> retryAfter) {
            this(reason, message, retryAfter, Optional.empty());
        }
    }

    /** The broker cancelled the stream. */
    record Cancelled() implements UpstreamOutcome {
    }
}
