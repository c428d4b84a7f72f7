package dev.switchboard.broker.route;

import dev.switchboard.protocol.close.CloseReason;
import java.time.Duration;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * Decides what follows a failed upstream attempt: retry the same target, move to the route's next target, or
 * fail the response. Pure and thread-safe; the jitter source is injected.
 *
 * <table>
 *   <caption>Decisions by failure</caption>
 *   <tr><th>failure</th><th>before output</th><th>after output</th></tr>
 *   <tr><td>rate limited (429)</td><td>retry after {@code Retry-After} when it is within
 *       {@code maxRetryAfter}, else next target</td><td>next target</td></tr>
 *   <tr><td>unavailable (5xx, reset, refused)</td><td>retry with jittered backoff up to {@code maxRetries},
 *       then next target</td><td>next target</td></tr>
 *   <tr><td>timeout (no first token, stall)</td><td>next target: a silent route is not retried</td>
 *       <td>next target</td></tr>
 *   <tr><td>stream broken (cut, in-band error)</td><td>retry like unavailable</td><td>next target</td></tr>
 *   <tr><td>context length</td><td colspan="2">next target (never the same model again)</td></tr>
 *   <tr><td>auth</td><td colspan="2">next target</td></tr>
 *   <tr><td>content policy, other 4xx</td><td colspan="2">fail: retrying elsewhere would not change the
 *       answer, and the provider's reason goes to the client</td></tr>
 * </table>
 *
 * @param maxRetries retries on the same target before moving on
 * @param backoff the first retry's base delay; doubles per retry
 * @param maxBackoff cap on the backoff delay
 * @param maxRetryAfter the longest {@code Retry-After} honoured by waiting; longer ones move on
 */
public record RetryPolicy(int maxRetries, Duration backoff, Duration maxBackoff, Duration maxRetryAfter) {

    /** 2 retries, 100 ms doubling to at most 2 s, honour Retry-After up to 5 s. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(2, Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(5));
    }

    /** What to do next. */
    public sealed interface Decision {
        /** Send the same request to the same target after {@code delay}. */
        record RetrySame(Duration delay) implements Decision {
        }

        /** Move to the route's next target now. */
        record NextTarget() implements Decision {
        }

        /** Give up: the response fails with the attempt's reason. */
        record Fail() implements Decision {
        }
    }

    /**
     * @param reason the attempt's failure
     * @param retryAfter the provider's Retry-After, if any
     * @param outputStarted whether any output of this response reached the client
     * @param retriesSoFar retries already made on this target
     * @param jitter uniform random source in [0, 1)
     */
    public Decision decide(CloseReason reason, Optional<Duration> retryAfter, boolean outputStarted,
                           int retriesSoFar, DoubleSupplier jitter) {
        boolean mayRetry = !outputStarted && retriesSoFar < maxRetries;
        return switch (reason) {
            case UPSTREAM_RATE_LIMITED -> {
                Duration wait = retryAfter.orElseGet(() -> backoff(retriesSoFar, jitter));
                yield mayRetry && wait.compareTo(maxRetryAfter) <= 0
                        ? new Decision.RetrySame(wait) : new Decision.NextTarget();
            }
            case UPSTREAM_UNAVAILABLE, UPSTREAM_STREAM_BROKEN, INTERNAL_ERROR -> mayRetry
                    ? new Decision.RetrySame(backoff(retriesSoFar, jitter)) : new Decision.NextTarget();
            case UPSTREAM_TIMEOUT, UPSTREAM_CONTEXT_LENGTH, UPSTREAM_AUTH -> new Decision.NextTarget();
            default -> new Decision.Fail();
        };
    }

    /** Full jitter: uniform in [base/2, base], base doubling per retry up to {@code maxBackoff}. */
    private Duration backoff(int retriesSoFar, DoubleSupplier jitter) {
        long base = Math.min(maxBackoff.toNanos(), backoff.toNanos() << Math.min(retriesSoFar, 20));
        return Duration.ofNanos(base / 2 + (long) (jitter.getAsDouble() * (base / 2.0)));
    }

    /** Whether a failure counts against the provider's circuit breaker (client-caused refusals do not). */
    public static boolean countsAgainstProvider(CloseReason reason) {
        return switch (reason) {
            case UPSTREAM_UNAVAILABLE, UPSTREAM_STREAM_BROKEN, UPSTREAM_TIMEOUT, UPSTREAM_RATE_LIMITED,
                    INTERNAL_ERROR -> true;
            default -> false;
        };
    }
}
