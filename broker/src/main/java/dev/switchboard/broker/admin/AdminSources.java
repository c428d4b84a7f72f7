package dev.switchboard.broker.admin;

import dev.switchboard.broker.audit.AuditLog;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.guardrail.TenantStanding;
import dev.switchboard.broker.metrics.BrokerMetrics;
import dev.switchboard.broker.resume.SessionStore;
import dev.switchboard.broker.session.BrokerSession;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the admin API reads and acts on. Every member is thread-safe; the suppliers return what is in force now, so a
 * configuration reload shows in the next answer.
 *
 * @param config the configuration in force (tenants, keys, models, limits)
 * @param standing a tenant's guardrail standing now, empty when it has no limit or budget (may throw
 *     {@code UsageStoreException} when the usage store cannot answer)
 * @param sessions the live sessions
 * @param scheduler the broker's scheduler, on which a signal to a full ring is retried ({@code RingRetry})
 * @param metrics the meters ({@code /metrics}) and error counters
 * @param reloader what {@code POST /admin/config/reload} calls
 * @param usage what {@code GET /admin/tenants/{id}/usage} answers
 * @param audit where changes are recorded, when an audit log is configured
 * @param auditRecords what {@code GET /admin/audit} answers, when an audit log is configured
 * @param console the main listener's {@code scheme://host:port}, whose console may call the admin API (CORS)
 */
public record AdminSources(Supplier<BrokerConfig> config, Function<String, Optional<TenantStanding>> standing,
                           SessionStore<BrokerSession> sessions, ScheduledExecutorService scheduler,
                           BrokerMetrics metrics, ConfigReloader reloader, UsageReports usage,
                           Optional<AuditLog> audit, Optional<AuditRecords> auditRecords,
                           Supplier<java.net.URI> console) {
}
