package dev.switchboard.broker.audit;

import dev.switchboard.broker.admission.Admission;
import dev.switchboard.broker.admission.AdmissionWatch;
import dev.switchboard.broker.admission.Refusal;
import dev.switchboard.broker.tenant.Principal;
import java.util.Optional;
import java.util.function.Function;

/**
 * Records the gatekeeper's refusals as {@code session refused} (a bad key, a forbidden model, a full session
 * limit, draining — the key's id when the key was known, never the key) and refuses anything new while the log
 * refuses. Called on Jetty threads; only queues.
 */
final class AuditAdmission implements AdmissionWatch {
    private static final Admission.Refused UNAVAILABLE = Admission.Refused.of(Refusal.AUDIT_UNAVAILABLE,
            "audit records cannot be written; retry shortly");

    private final AuditLog log;
    private final Function<String, String> policyVersion;

    AuditAdmission(AuditLog log, Function<String, String> policyVersion) {
        this.log = log;
        this.policyVersion = policyVersion;
    }

    @Override
    public void onRefused(Optional<Principal> principal, Admission.Refused refused) {
        AuditEntry.Builder entry = AuditEntry.at(log.clock().instant(), "session refused")
                .decision("deny", refused.refusal().code()).with("http_status", refused.refusal().httpStatus());
        principal.ifPresent(p -> entry.who(p.tenant().id(), p.keyId())
                .policyVersion(policyVersion.apply(p.tenant().id())));
        log.record(entry.build());
    }

    @Override
    public void onResumeRefused(Principal principal, String code) {
        log.record(AuditEntry.at(log.clock().instant(), "resume refused").decision("deny", code)
                .who(principal.tenant().id(), principal.keyId())
                .policyVersion(policyVersion.apply(principal.tenant().id())).build());
    }

    @Override
    public Optional<Admission.Refused> refuseNew() {
        return log.refusing() ? Optional.of(UNAVAILABLE) : Optional.empty();
    }
}
