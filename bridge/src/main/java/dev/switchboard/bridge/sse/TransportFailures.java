package dev.switchboard.bridge.sse;

import dev.switchboard.bridge.upstream.TlsFailure;
import dev.switchboard.bridge.upstream.UpstreamOutcome;
import dev.switchboard.protocol.close.CloseReason;
import java.io.EOFException;
import java.net.ConnectException;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * Classifies a failed connection (not an HTTP error answer) the same way for every SSE adapter: a timeout is
 * {@link CloseReason#UPSTREAM_TIMEOUT}, anything before the response headers or a refused connection is
 * {@link CloseReason#UPSTREAM_UNAVAILABLE}, anything after is {@link CloseReason#UPSTREAM_STREAM_BROKEN}. Messages
 * name only the exception class, never a URL or header. Stateless.
 */
public final class TransportFailures {
    private TransportFailures() {
    }

    /** The outcome for {@code failure}; {@code beforeHeaders} tells whether any response had arrived. */
    public static UpstreamOutcome.Failed outcome(Throwable failure, boolean beforeHeaders) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof TimeoutException) {
            return new UpstreamOutcome.Failed(CloseReason.UPSTREAM_TIMEOUT,
                    beforeHeaders ? "the provider did not answer in time" : "the provider stream stalled",
                    Optional.empty());
        }
        Optional<String> tls = TlsFailure.describe(failure);
        if (tls.isPresent()) {
            return new UpstreamOutcome.Failed(CloseReason.UPSTREAM_UNAVAILABLE, tls.get(), Optional.empty());
        }
        if (beforeHeaders || root instanceof ConnectException) {
            return new UpstreamOutcome.Failed(CloseReason.UPSTREAM_UNAVAILABLE,
                    "the provider could not be reached (" + root.getClass().getSimpleName() + ")", Optional.empty());
        }
        String what = root instanceof EOFException ? "closed" : "failed (" + root.getClass().getSimpleName() + ")";
        return new UpstreamOutcome.Failed(CloseReason.UPSTREAM_STREAM_BROKEN,
                "the provider connection " + what + " mid-stream", Optional.empty());
    }
}
