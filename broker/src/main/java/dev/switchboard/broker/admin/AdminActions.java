package dev.switchboard.broker.admin;

import dev.switchboard.broker.audit.AuditLog;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where admin calls that change something (or were refused the change) are told: one log line each, with the
 * caller's identity and roles and never a token, and a record in the audit log when one is configured. Admin
 * calls are rare and operator-made, so every one is logged, not rate limited. Thread-safe.
 */
final class AdminActions {
    private static final Logger LOG = LoggerFactory.getLogger("dev.switchboard.broker.admin");

    private final Optional<AuditLog> audit;

    AdminActions(Optional<AuditLog> audit) {
        this.audit = audit;
    }

    /** An attempt to end session {@code sessionId} of {@code tenant} (empty when unknown), and its outcome. */
    void sessionEnd(Caller caller, String tenant, String sessionId, String outcome) {
        LOG.info("admin: {} ({}) asked to end session {} of tenant {}: {}", caller.identity(), caller.roles(),
                sessionId, tenant.isEmpty() ? "(unknown)" : tenant, outcome);
        record(caller, "end_session", outcome, tenant, sessionId, "");
    }

    /** A configuration reload by {@code caller}, its outcome and, when it went through, the new version. */
    void reload(Caller caller, boolean endRevokedSessions, String outcome, String version) {
        LOG.info("admin: {} ({}) asked to reload the configuration (end_revoked_sessions={}): {}{}", caller.identity(),
                caller.roles(), endRevokedSessions, outcome, version.isEmpty() ? "" : ", version " + version);
        record(caller, "reload_config", outcome, "", "", version);
    }

    private void record(Caller caller, String action, String outcome, String tenant, String sessionId,
                        String version) {
        audit.ifPresent(log -> log.onAdminAction(new AuditLog.AdminAction(action, outcome, caller.identity(),
                caller.roles(), tenant, sessionId, version)));
    }
}
