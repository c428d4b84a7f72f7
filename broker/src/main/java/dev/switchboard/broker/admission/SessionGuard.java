package dev.switchboard.broker.admission;

import dev.switchboard.broker.tenant.Principal;
import java.util.Optional;

/**
 * A guardrail consulted when a WebSocket session is about to open (before the 101): a tenant's or key's
 * {@code concurrent_sessions}. Thread-safe and non-blocking: called on Jetty threads. A session admitted here
 * holds its slot until its {@code onSessionClosed} hook.
 */
@FunctionalInterface
public interface SessionGuard {
    /** Admits everything. */
    SessionGuard NONE = principal -> Optional.empty();

    /** Takes a session slot for {@code principal}, or says why not. */
    Optional<Admission.Refused> admitSession(Principal principal);

    /**
     * Gives back the slot {@link #admitSession} took when no session came of it (the upgrade did not happen).
     * A session that opened gives its slot back through its {@code onSessionClosed} hook instead.
     */
    default void sessionNotOpened(Principal principal) {
    }
}
