package dev.switchboard.broker.usage;

import dev.switchboard.broker.admission.Admission;
import dev.switchboard.broker.admission.AdmissionWatch;
import dev.switchboard.broker.tenant.Principal;
import java.time.InstantSource;
import java.util.Optional;

/**
 * Counts admission refusals of a known key (a model the tenant may not use, a session cap, the audit log refusing)
 * as refusals of its tenant and key, under the empty model: the model a refused request named may be any text, so it
 * is not a row key. Refusals without a known key (a missing or invalid key, draining) belong to no tenant and are not
 * counted. Jetty threads; non-blocking. Every call is passed on to {@code inner}.
 */
final class UsageWatch implements AdmissionWatch {
    private final AdmissionWatch inner;
    private final UsageLedger ledger;
    private final InstantSource clock;

    UsageWatch(AdmissionWatch inner, UsageLedger ledger, InstantSource clock) {
        this.inner = inner;
        this.ledger = ledger;
        this.clock = clock;
    }

    @Override
    public void onRefused(Optional<Principal> principal, Admission.Refused refused) {
        inner.onRefused(principal, refused);
        principal.ifPresent(p -> ledger.refused(p.tenant().id(), p.keyId(), "", clock.instant()));
    }

    @Override
    public void onResumeRefused(Principal principal, String code) {
        // Not a request refused: nothing to count, but the watches inside (the audit log) record it.
        inner.onResumeRefused(principal, code);
    }

    @Override
    public Optional<Admission.Refused> refuseNew() {
        return inner.refuseNew();
    }
}
