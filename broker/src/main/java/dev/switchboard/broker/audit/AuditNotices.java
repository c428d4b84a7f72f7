package dev.switchboard.broker.audit;

import dev.switchboard.broker.notice.Notice;
import dev.switchboard.broker.notice.Notices;

/**
 * Records notices: limits exceeded, budget thresholds and exhaustion, policy matches (rule and action, never the
 * matched text) and circuit changes. {@link #publish} only builds an entry and queues it.
 */
final class AuditNotices implements Notices {
    private final AuditLog log;

    AuditNotices(AuditLog log) {
        this.log = log;
    }

    @Override
    public void publish(Notice notice) {
        log.record(entry(notice));
    }

    private static AuditEntry entry(Notice notice) {
        if (notice instanceof Notice.LimitExceeded n) {
            return AuditEntry.at(n.at(), "limit exceeded").decision("deny", n.limit()).who(n.tenant(), n.keyId())
                    .with("limit", n.limit()).with("value", n.value()).build();
        }
        if (notice instanceof Notice.BudgetThreshold n) {
            return AuditEntry.at(n.at(), "budget threshold").decision("", "alert_at").who(n.tenant(), "")
                    .with("budget", n.budget()).with("period", n.period()).with("period_id", n.periodId())
                    .with("unit", n.unit()).with("threshold", n.threshold()).with("spent", n.spent())
                    .with("limit", n.limit()).build();
        }
        if (notice instanceof Notice.BudgetExhausted n) {
            return AuditEntry.at(n.at(), "budget exhausted").decision("deny", "budget_exhausted")
                    .who(n.tenant(), "").with("budget", n.budget()).with("period", n.period())
                    .with("period_id", n.periodId()).with("unit", n.unit()).with("spent", n.spent())
                    .with("limit", n.limit()).build();
        }
        if (notice instanceof Notice.PolicyMatched n) {
            return AuditEntry.at(n.at(), "policy matched").decision(n.action(), n.rule())
                    .who(n.tenant(), n.keyId()).session(n.sessionId()).response(n.responseId())
                    .policyVersion(n.policyVersion()).with("policy", n.policy()).with("rule", n.rule())
                    .with("action", n.action()).with("direction", n.direction()).build();
        }
        if (notice instanceof Notice.CircuitChanged n) {
            return AuditEntry.at(n.at(), "circuit changed").decision("", n.cause()).with("provider", n.provider())
                    .with("from", n.from()).with("to", n.to()).build();
        }
        if (notice instanceof Notice.WebhookDisabled n) {
            return AuditEntry.at(n.at(), "webhook disabled").decision("deny", "http_" + n.status())
                    .with("endpoint", n.endpoint()).with("status", n.status()).build();
        }
        // A notice type added after this class: still recorded, by its name (Java 17 has no exhaustive switch).
        return AuditEntry.at(notice.at(), "notice").with("type", notice.getClass().getSimpleName()).build();
    }
}
