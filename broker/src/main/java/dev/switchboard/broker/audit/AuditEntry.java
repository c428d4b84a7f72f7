package dev.switchboard.broker.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One audit record before it is chained: the fixed fields every record has (empty strings when a field does not
 * apply) and the event's own details, in the order they are written. Immutable once built; built on the caller's
 * thread, serialised on the writer thread.
 *
 * @param ts when the decision was made, from the broker's clock
 * @param event what happened ({@code session opened}, {@code response ended}, ...)
 * @param decision {@code allow}, {@code deny}, {@code modify}, a policy's action, or empty
 * @param reason a short code (a refusal's error code, a status reason, a rule), or empty
 * @param details the event's own fields: names and values that are strings, longs, doubles or booleans
 */
record AuditEntry(Instant ts, String event, String decision, String reason, String tenant, String keyId,
                  String sessionId, String responseId, String policyVersion, List<Detail> details) {
    AuditEntry {
        Objects.requireNonNull(ts, "ts");
        details = Collections.unmodifiableList(details);
    }

    /** One event-specific field; {@code value} is a String, Long, Double, Integer or Boolean. */
    record Detail(String name, Object value) {
        Detail {
            if (!(value instanceof String || value instanceof Long || value instanceof Integer
                    || value instanceof Double || value instanceof Boolean)) {
                throw new IllegalArgumentException("unsupported detail value for " + name);
            }
        }
    }

    /** Starts an entry for {@code event} at {@code ts}. */
    static Builder at(Instant ts, String event) {
        return new Builder(ts, event);
    }

    /** Collects an entry's fields; used on one thread, then discarded. */
    static final class Builder {
        private final Instant ts;
        private final String event;
        private String decision = "";
        private String reason = "";
        private String tenant = "";
        private String keyId = "";
        private String sessionId = "";
        private String responseId = "";
        private String policyVersion = "";
        private final List<Detail> details = new ArrayList<>(8);

        private Builder(Instant ts, String event) {
            this.ts = ts;
            this.event = event;
        }

        Builder decision(String value, String why) {
            this.decision = value;
            this.reason = why;
            return this;
        }

        Builder who(String tenantId, String key) {
            this.tenant = tenantId;
            this.keyId = key;
            return this;
        }

        Builder session(String id) {
            this.sessionId = id;
            return this;
        }

        Builder response(String id) {
            this.responseId = id;
            return this;
        }

        Builder policyVersion(String version) {
            this.policyVersion = version;
            return this;
        }

        Builder with(String name, Object value) {
            details.add(new Detail(name, value));
            return this;
        }

        AuditEntry build() {
            return new AuditEntry(ts, event, decision, reason, tenant, keyId, sessionId, responseId, policyVersion,
                    List.copyOf(details));
        }
    }
}
