package dev.switchboard.bridge.realtime;

import dev.switchboard.bridge.upstream.ProviderText;
import dev.switchboard.bridge.upstream.RetryAfter;
import dev.switchboard.bridge.upstream.TlsFailure;
import dev.switchboard.bridge.upstream.UpstreamOutcome;
import dev.switchboard.protocol.close.CloseReason;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.websocket.api.exceptions.CloseException;
import org.eclipse.jetty.websocket.api.exceptions.UpgradeException;
import org.eclipse.jetty.websocket.api.exceptions.WebSocketTimeoutException;

/**
 * Maps every way a Realtime relay can fail to a {@link CloseReason}, in one method. Messages name the HTTP status,
 * the close code and reason, or the exception class, never a URL or a header, and the provider's close reason has
 * the API key removed should it echo it. Stateless.
 */
final class RelayFailures {

    private RelayFailures() {
    }

    /**
     * The outcome for {@code failure}.
     *
     * @param failure what Jetty reported: the connect failure, an error on the open connection, or a
     *     {@link CloseException} carrying the code and reason of a close the broker did not ask for
     * @param opened whether the WebSocket had opened when it happened
     * @param retryAfter the {@code Retry-After} header of a refused upgrade, if any
     * @param apiKey the configured key, removed from provider text
     */
    static UpstreamOutcome.Failed outcome(Throwable failure, boolean opened, Optional<String> retryAfter,
                                          Optional<String> apiKey) {
        int status = upgradeStatus(failure);
        if (!opened && status > 0) {
            String message = "the provider refused the Realtime upgrade with HTTP " + status;
            return new UpstreamOutcome.Failed(statusReason(status), message,
                    retryAfter.flatMap(RetryAfter::parse));
        }
        Throwable root = root(failure);
        boolean timeout = isTimeout(failure);
        if (!opened) {
            if (timeout) {
                return failed(CloseReason.UPSTREAM_TIMEOUT, "the provider did not complete the Realtime handshake "
                        + "in time");
            }
            return failed(CloseReason.UPSTREAM_UNAVAILABLE, TlsFailure.describe(failure)
                    .orElse("the provider could not be reached (" + root.getClass().getSimpleName() + ")"));
        }
        if (timeout) {
            return failed(CloseReason.UPSTREAM_TIMEOUT, "the Realtime connection was idle past the idle timeout");
        }
        if (failure instanceof CloseException close) {
            return failed(CloseReason.UPSTREAM_STREAM_BROKEN, "the provider closed the Realtime connection ("
                    + close.getStatusCode() + reasonText(close.getMessage(), apiKey) + ")");
        }
        return failed(CloseReason.UPSTREAM_STREAM_BROKEN,
                "the Realtime connection failed (" + root.getClass().getSimpleName() + ")");
    }

    private static CloseReason statusReason(int status) {
        if (status == 401 || status == 403) {
            return CloseReason.UPSTREAM_AUTH;
        }
        if (status == 429) {
            return CloseReason.UPSTREAM_RATE_LIMITED;
        }
        if (status == 408) {
            return CloseReason.UPSTREAM_TIMEOUT;
        }
        // Other 4xx are refusals that another attempt will not fix; 5xx and a non-101 success or redirect
        // (something other than a Realtime endpoint answered) are the provider's side.
        return status >= 400 && status < 500 ? CloseReason.UPSTREAM_REJECTED : CloseReason.UPSTREAM_UNAVAILABLE;
    }

    private static UpstreamOutcome.Failed failed(CloseReason reason, String message) {
        return new UpstreamOutcome.Failed(reason, message, Optional.empty());
    }

    /** The HTTP status of a refused upgrade anywhere in the cause chain, or 0. */
    private static int upgradeStatus(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof UpgradeException upgrade && upgrade.getResponseStatusCode() > 0) {
                return upgrade.getResponseStatusCode();
            }
        }
        return 0;
    }

    private static boolean isTimeout(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof TimeoutException || t instanceof SocketTimeoutException
                    || t instanceof WebSocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static Throwable root(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    private static String reasonText(String reason, Optional<String> apiKey) {
        if (reason == null || reason.isBlank()) {
            return "";
        }
        return " " + ProviderText.redact(reason, apiKey);
    }
}
