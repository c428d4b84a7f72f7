package dev.switchboard.broker.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.protocol.close.CloseReason;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RetryPolicyTest {
    private final RetryPolicy policy = RetryPolicy.defaults();

    private RetryPolicy.Decision decide(CloseReason reason, Optional<Duration> retryAfter, boolean output, int tries) {
        return policy.decide(reason, retryAfter, output, tries, () -> 0.5);
    }

    @Test
    void rate_limits_honour_retry_after_within_the_budget_and_move_on_beyond_it() {
        var wait = assertInstanceOf(RetryPolicy.Decision.RetrySame.class,
                decide(CloseReason.UPSTREAM_RATE_LIMITED, Optional.of(Duration.ofSeconds(3)), false, 0));
        assertEquals(Duration.ofSeconds(3), wait.delay());
        assertInstanceOf(RetryPolicy.Decision.NextTarget.class,
                decide(CloseReason.UPSTREAM_RATE_LIMITED, Optional.of(Duration.ofSeconds(60)), false, 0));
    }

    @Test
    void server_errors_retry_with_growing_jittered_backoff_then_move_on() {
        var first = assertInstanceOf(RetryPolicy.Decision.RetrySame.class,
                decide(CloseReason.UPSTREAM_UNAVAILABLE, Optional.empty(), false, 0));
        var second = assertInstanceOf(RetryPolicy.Decision.RetrySame.class,
                decide(CloseReason.UPSTREAM_UNAVAILABLE, Optional.empty(), false, 1));
        assertTrue(second.delay().compareTo(first.delay()) > 0);
        assertInstanceOf(RetryPolicy.Decision.NextTarget.class,
                decide(CloseReason.UPSTREAM_UNAVAILABLE, Optional.empty(), false, 2));
    }

    @Test
    void a_silent_route_is_never_retried_and_output_already_sent_always_moves_on() {
        assertInstanceOf(RetryPolicy.Decision.NextTarget.class,
                decide(CloseReason.UPSTREAM_TIMEOUT, Optional.empty(), false, 0));
        assertInstanceOf(RetryPolicy.Decision.NextTarget.class,
                decide(CloseReason.UPSTREAM_STREAM_BROKEN, Optional.empty(), true, 0));
    }

    @Test
    void context_length_moves_on_and_content_policy_fails() {
        assertInstanceOf(RetryPolicy.Decision.NextTarget.class,
                decide(CloseReason.UPSTREAM_CONTEXT_LENGTH, Optional.empty(), false, 0));
        assertInstanceOf(RetryPolicy.Decision.Fail.class,
                decide(CloseReason.UPSTREAM_CONTENT_POLICY, Optional.empty(), false, 0));
        assertInstanceOf(RetryPolicy.Decision.Fail.class,
                decide(CloseReason.UPSTREAM_REJECTED, Optional.empty(), false, 0));
    }
}
