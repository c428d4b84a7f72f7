package dev.switchboard.broker.admin;

/**
 * What {@code POST /admin/config/reload} calls: re-reads and validates the configuration file, then swaps it in.
 * Implemented by the broker; called on an admin API thread, which may block while it runs (never a shard or
 * selector thread). Must be thread-safe: two operators may reload at once.
 */
public interface ConfigReloader {
    /** Until the broker wires its reload: refuses, saying so. */
    ConfigReloader NOT_WIRED = (who, endRevokedSessions) ->
            new Outcome.Unavailable("live reload is not available in this build");

    /**
     * Reloads the configuration.
     *
     * @param who the caller, for the log and the audit record
     * @param endRevokedSessions whether sessions opened with a key the new configuration no longer has are ended
     *     ({@code ?end_revoked_sessions=true}); otherwise they continue
     */
    Outcome reload(Caller who, boolean endRevokedSessions);

    /** How a reload went. */
    sealed interface Outcome {
        /**
         * The new configuration is in force: 200 {@code {"version": ..., "sessions_ended": ...}}.
         *
         * @param version the new configuration's version ({@code ConfigVersion})
         * @param sessionsEnded sessions of revoked keys that were ended (0 unless asked for)
         */
        record Reloaded(String version, int sessionsEnded) implements Outcome {
        }

        /**
         * The file is invalid and nothing changed: 400 with {@code message}, the same precise message as at start.
         */
        record Rejected(String message) implements Outcome {
        }

        /** No reload is possible (dev mode has no file to re-read; not wired): 409 with {@code message}. */
        record Unavailable(String message) implements Outcome {
        }
    }
}
