package dev.switchboard.broker.admission;

import dev.switchboard.broker.tenant.Principal;
import java.util.Optional;

/**
 * What the {@link Gatekeeper} reports its refusals to, and asks before it admits anything new: the audit log's
 * seam at admission. Called on Jetty threads; implementations never block (see the package's threading rule).
 */
public interface AdmissionWatch {
    /** A watch that records nothing and refuses nothing. */
    AdmissionWatch NONE = new AdmissionWatch() {
    };

    /**
     * The gatekeeper refused a connection or request.
     *
     * @param principal who asked, when the key was known
     */
    default void onRefused(Optional<Principal> principal, Admission.Refused refused) {
    }

    /**
     * A resume was refused after the key was checked: the token is invalid for this key, the session has ended, or
     * the request names another model or a bad {@code last_seq}.
     *
     * @param code the {@code error.code} the client was sent ({@code resume_token_invalid}, ...)
     */
    default void onResumeRefused(Principal principal, String code) {
    }

    /** A refusal of anything new right now (a new session, a chat request), or empty to go on. */
    default Optional<Admission.Refused> refuseNew() {
        return Optional.empty();
    }
}
