package dev.switchboard.broker;

import dev.switchboard.broker.admission.Directory;
import dev.switchboard.broker.audit.AuditLog;
import dev.switchboard.broker.audit.ConfigVersion;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigException;
import dev.switchboard.broker.config.Guardrails;
import dev.switchboard.broker.policy.ContentPolicy;
import dev.switchboard.broker.reload.ConfigSource;
import dev.switchboard.broker.reload.Reload;
import dev.switchboard.broker.resume.SessionStore;
import dev.switchboard.broker.route.ModelCatalog;
import dev.switchboard.broker.route.Providers;
import dev.switchboard.broker.session.BrokerSession;
import dev.switchboard.broker.tenant.TenantRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import dev.switchboard.broker.transport.tls.TlsMaterial;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration in force, and its live reload. What admission looks up (tenants, keys, models and routes), the
 * guardrails' limits, budgets and prices, the content policies and the audit log's prices and policy versions all
 * come from here, so a reload changes them together: one volatile write of an immutable {@link State}, after
 * everything it holds was built. What the running process was built around (listeners, rings, sessions and replay
 * bounds, audit, webhooks, ...) takes effect at the next start; a reload reports those sections as
 * {@code restart_required} instead of pretending.
 *
 * <p>Threading: the getters are any-thread volatile reads (admission runs them on Jetty threads, hooks on shard
 * threads). {@link #reload} is synchronised: one reload at a time, on the caller's thread (admin request, signal);
 * it may block on reading the file and on starting a Realtime relay connector, never on a hot path.
 */
final class LiveConfig {
    private static final Logger LOG = LoggerFactory.getLogger(LiveConfig.class);
    /** The top-level sections a reload applies; every other section needs a restart to change. */
    private static final Set<String> RELOADABLE = Set.of("providers", "models", "tenants", "prices", "policies");

    private final Providers providers;
    private final Consumer<BrokerConfig> onApplied;
    private final Optional<AuditLog> audit;
    private final SessionStore<BrokerSession> sessions;
    private final Consumer<BrokerSession> endRevoked;
    private volatile ConfigSource source = ConfigSource.NONE;
    private volatile State state;

    /** One configuration's derived, immutable lookups. */
    private record State(BrokerConfig config, String version, Directory directory,
                         Map<String, String> policyVersions) {
    }

    /**
     * @param config the configuration the broker started with
     * @param onApplied told each applied configuration before it is published (guardrails, usage ledger: they keep
     *                  their counters and swap their rules)
     * @param endRevoked ends a session whose key a reload revoked (on the session's own shard)
     */
    LiveConfig(BrokerConfig config, Providers providers, Consumer<BrokerConfig> onApplied, Optional<AuditLog> audit,
               SessionStore<BrokerSession> sessions, Consumer<BrokerSession> endRevoked) {
        this.providers = providers;
        this.onApplied = onApplied;
        this.audit = audit;
        this.sessions = sessions;
        this.endRevoked = endRevoked;
        this.state = state(config, ContentPolicy.compile(config.policies()), providers);
    }

    private static State state(BrokerConfig config, Map<String, ContentPolicy> policies, Providers providers) {
        Map<String, String> versions = new HashMap<>();
        config.tenants().forEach((id, tenant) -> tenant.policy().map(policies::get)
                .ifPresent(policy -> versions.put(id, policy.version())));
        Map<String, String> regions = new LinkedHashMap<>();
        config.providers().forEach((name, p) -> p.region().ifPresent(region -> regions.put(name, region)));
        Directory directory = new Directory(TenantRegistry.from(config.tenants(), policies),
                ModelCatalog.from(config.models(), providers.current(), regions));
        return new State(config, ConfigVersion.of(config), directory, Map.copyOf(versions));
    }

    /** Sets where {@link #reload} reads the configuration (the start-up file); without it a reload is refused. */
    void source(ConfigSource source) {
        this.source = source;
    }

    /** The tenants and models admission uses now. */
    Directory directory() {
        return state.directory();
    }

    /** The configuration in force. */
    BrokerConfig config() {
        return state.config();
    }

    /** The version of the configuration in force. */
    String version() {
        return state.version();
    }

    /** Model aliases' prices now. */
    Map<String, Guardrails.Price> prices() {
        return state.config().prices();
    }

    /** A tenant's content policy version now, or empty. */
    String policyVersion(String tenant) {
        return state.policyVersions().getOrDefault(tenant, "");
    }

    /**
     * Reads the configuration again and, when it is valid, makes it current.
     *
     * @param endRevokedSessions also end the live sessions of keys the new configuration no longer has
     * @param caller who asked, for the log and the audit record
     */
    synchronized Reload reload(boolean endRevokedSessions, String caller) {
        if (source == ConfigSource.NONE) {
            return new Reload.Unavailable("the broker was started without --config: there is no configuration file "
                    + "to reload");
        }
        BrokerConfig next;
        try {
            next = source.load();
        } catch (ConfigException e) {
            return rejected(caller, e.getMessage());
        }
        Optional<String> refused = providers.refusal(next);
        if (refused.isPresent()) {
            return rejected(caller, refused.get());
        }
        State before = state;
        Map<String, ContentPolicy> policies;
        TenantRegistry tenants;
        try {
            // Everything that can fail is built before anything is swapped.
            policies = ContentPolicy.compile(next.policies());
            tenants = TenantRegistry.from(next.tenants(), policies);
        } catch (RuntimeException e) {
            return rejected(caller, String.valueOf(e.getMessage()));
        }
        Map<String, SslContextFactory.Client> trust;
        try {
            trust = TlsMaterial.providerTrust(next.providers());
        } catch (ConfigException e) {
            return rejected(caller, e.getMessage());
        }
        List<String> rebuilt;
        try {
            rebuilt = providers.reconfigure(next, trust);
        } catch (RuntimeException e) {
            return rejected(caller, "a provider could not be started: " + e.getMessage());
        }
        State after = state(next, policies, providers);
        onApplied.accept(next);
        state = after;
        int ended = endRevokedSessions ? endRevoked(after.directory().tenants()) : 0;
        List<String> restart = restartRequired(before.config(), next);
        LOG.info("configuration reloaded by {}: version {} (was {}); providers rebuilt {}; restart required for {}; "
                + "sessions of revoked keys ended: {}", caller, after.version(), before.version(), rebuilt, restart,
                ended);
        audit.ifPresent(log -> log.onConfigReloaded(after.version(), before.version(), caller));
        return new Reload.Applied(after.version(), before.version(), restart, rebuilt, ended);
    }

    /** Logs why the reload by {@code caller} changed nothing, and says so. */
    private static Reload rejected(String caller, String message) {
        LOG.warn("configuration reload by {} rejected: {}", caller, message);
        return new Reload.Rejected(message);
    }

    private int endRevoked(TenantRegistry tenants) {
        AtomicInteger ended = new AtomicInteger();
        sessions.forEach(session -> {
            if (!tenants.holds(session.principal())) {
                endRevoked.accept(session);
                ended.incrementAndGet();
            }
        });
        return ended.get();
    }

    /** The top-level sections outside {@link #RELOADABLE} whose settings differ, in declaration order. */
    private static List<String> restartRequired(BrokerConfig before, BrokerConfig after) {
        List<String> sections = new ArrayList<>();
        for (RecordComponent component : BrokerConfig.class.getRecordComponents()) {
            String name = snake(component.getName());
            if (!RELOADABLE.contains(name) && !ConfigVersion.same(value(component, before), value(component, after))) {
                sections.add(name);
            }
        }
        return sections;
    }

    private static Object value(RecordComponent component, BrokerConfig config) {
        try {
            return component.getAccessor().invoke(config);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("record accessor " + component.getName(), e);
        }
    }

    /** {@code camelCase} to the configuration file's {@code snake_case}. */
    private static String snake(String name) {
        return name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }
}
