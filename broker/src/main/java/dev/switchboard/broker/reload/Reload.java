package dev.switchboard.broker.reload;

import java.util.List;

/**
 * What a live reload did: applied a configuration, rejected it and left the running one untouched, or could not run
 * at all.
 */
public sealed interface Reload {

    /**
     * The new configuration is current: keys, tenants, limits, budgets, prices, policies, models and routes apply to
     * every admission from now on; sessions and responses in flight continue as they were admitted.
     *
     * @param version the new configuration's version (as in the audit log's {@code config_version})
     * @param previous the version it replaced (equal when nothing changed)
     * @param restartRequired the top-level sections that differ but take effect only at the next start
     *     ({@code listen}, {@code rings}, ...), in declaration order
     * @param providersRebuilt providers built anew (changed or added) or removed; the others kept their connections
     *     and circuit breaker state
     * @param sessionsEnded sessions of revoked keys that were ended (only when asked to)
     */
    record Applied(String version, String previous, List<String> restartRequired, List<String> providersRebuilt,
                   int sessionsEnded) implements Reload {
        public Applied {
            restartRequired = List.copyOf(restartRequired);
            providersRebuilt = List.copyOf(providersRebuilt);
        }
    }

    /**
     * The configuration was not applied; nothing changed.
     *
     * @param message why, as precise as a start-up error (the key and the rule)
     */
    record Rejected(String message) implements Reload {
    }

    /**
     * No reload is possible: the broker was started without a configuration file (dev mode).
     *
     * @param message why
     */
    record Unavailable(String message) implements Reload {
    }
}
