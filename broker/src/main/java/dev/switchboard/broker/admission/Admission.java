package dev.switchboard.broker.admission;

import dev.switchboard.broker.route.Route;
import dev.switchboard.broker.tenant.Principal;
import java.time.Duration;
import java.util.Optional;

/** The outcome of admitting a connection or request: who it is and where it goes, or why not. */
public sealed interface Admission {

    /**
     * Admitted.
     *
     * @param principal the tenant and key
     * @param route the model's route, when a model was asked for
     */
    record Admitted(Principal principal, Optional<Route> route) implements Admission {
    }

    /**
     * Refused: the caller writes it with {@link RefusalWriter} (HTTP) or sends {@link #errorDetail()} and closes
     * with the refusal's close code (WebSocket).
     *
     * @param refusal why, mapped once to every transport's shape
     * @param message for the client: names the problem, never echoes secrets
     * @param param the offending request field, if any
     * @param retryAfter when the client may try again, for a throttle
     */
    record Refused(Refusal refusal, String message, Optional<String> param, Optional<Duration> retryAfter)
            implements Admission {

        /** A refusal without a param or retry time. */
        public static Refused of(Refusal refusal, String message) {
            return new Refused(refusal, message, Optional.empty(), Optional.empty());
        }

        /** The refusal as a Realtime {@code error} detail. */
        public dev.switchboard.protocol.event.ErrorDetail errorDetail() {
            return new dev.switchboard.protocol.event.ErrorDetail(refusal.errorType(), refusal.code(), message,
                    param, Optional.empty(), retryAfter.map(Duration::toMillis));
        }
    }
}
