package dev.switchboard.broker.admin;

import dev.switchboard.broker.reload.Reload;

/**
 * What {@code POST /admin/config/reload} calls: re-reads and validates the configuration file, then swaps it in.
 * Implemented by the broker; called on an admin API thread, which may block while it runs (never a shard or
 * selector thread). Must be thread-safe: two operators may reload at once.
 */
public interface ConfigReloader {
    /**
     * Reloads the configuration.
     *
     * @param who the caller, for the log and the audit record
     * @param endRevokedSessions whether sessions opened with a key the new configuration no longer has are ended
     *     ({@code ?end_revoked_sessions=true}); otherwise they continue
     */
    Reload reload(Caller who, boolean endRevokedSessions);
}
