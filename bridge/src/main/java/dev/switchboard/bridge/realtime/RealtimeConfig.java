package dev.switchboard.bridge.realtime;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Settings of one {@code openai-realtime} provider. Immutable; validated on construction, with messages that name
 * the key and the rule.
 *
 * @param name the provider name from the configuration, used as the metric tag
 * @param baseUri e.g. {@code wss://api.openai.com/v1}; {@code /realtime?model=…} is appended. {@code http} and
 *     {@code https} are accepted and stored as {@code ws} and {@code wss}
 * @param apiKey the broker's provider key, sent as a bearer token on the upgrade request; never logged, never
 *     shown to clients, never the tenant's key
 * @param timeouts connection deadlines
 * @param limits bounds on what one relay may hold
 */
public record RealtimeConfig(String name, URI baseUri, Optional<String> apiKey, Timeouts timeouts, Limits limits) {

    public RealtimeConfig {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("provider name must not be empty");
        }
        baseUri = webSocketUri(baseUri, name);
        apiKey = apiKey.filter(key -> !key.isEmpty());
    }

    /** A provider with {@link Timeouts#defaults()} and {@link Limits#defaults()}. */
    public RealtimeConfig(String name, URI baseUri, Optional<String> apiKey) {
        this(name, baseUri, apiKey, Timeouts.defaults(), Limits.defaults());
    }

    private static URI webSocketUri(URI uri, String name) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String mapped = switch (scheme) {
            case "ws", "http" -> "ws";
            case "wss", "https" -> "wss";
            default -> throw new IllegalArgumentException(
                    "providers." + name + ".base_url must be a ws, wss, http or https URL");
        };
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("providers." + name + ".base_url must name a host");
        }
        return mapped.equals(scheme) ? uri : URI.create(mapped + uri.toString().substring(scheme.length()));
    }

    /** Redacts the key so a logged or printed config never leaks it. */
    @Override
    public String toString() {
        return "RealtimeConfig[name=" + name + ", baseUri=" + baseUri + ", apiKey="
                + (apiKey.isPresent() ? "***" : "none") + ", timeouts=" + timeouts + ", limits=" + limits + "]";
    }

    /**
     * Connection deadlines of a Realtime relay.
     *
     * @param connect TCP and TLS connect
     * @param handshake the whole WebSocket upgrade exchange, connect included: a provider that accepts the
     *     connection but never answers the upgrade fails with {@code UPSTREAM_TIMEOUT} after this long
     * @param idle the longest time with no traffic either way once open (time the broker keeps the relay paused
     *     counts too); exceeded, the relay fails with {@code UPSTREAM_TIMEOUT}. Realtime sessions can stay quiet
     *     for minutes while a user thinks, so this is a dead-connection backstop, not a stall detector
     */
    public record Timeouts(Duration connect, Duration handshake, Duration idle) {
        public Timeouts {
            requirePositive(connect, "connect");
            requirePositive(handshake, "handshake");
            requirePositive(idle, "idle");
        }

        private static void requirePositive(Duration value, String key) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("timeouts." + key + " must be > 0");
            }
        }

        /** 5 s connect, 10 s handshake, 10 min idle. */
        public static Timeouts defaults() {
            return new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofMinutes(10));
        }
    }

    /**
     * What one relay may hold.
     *
     * @param maxPendingFrames client events queued but not yet written to the provider (the one being written
     *     included); {@code trySend} refuses beyond it
     * @param maxPendingChars the characters of those events (UTF-16 units, which equal bytes for the ASCII JSON
     *     and base64 audio of the Realtime API); {@code trySend} refuses beyond it, so one event larger than this
     *     is always refused
     * @param maxMessageBytes the largest provider event accepted; a larger one fails the relay (Jetty closes the
     *     connection with 1009). Audio deltas can be hundreds of KB
     */
    public record Limits(int maxPendingFrames, long maxPendingChars, long maxMessageBytes) {
        public Limits {
            if (maxPendingFrames <= 0) {
                throw new IllegalArgumentException("limits.max_pending_frames must be > 0");
            }
            if (maxPendingChars <= 0) {
                throw new IllegalArgumentException("limits.max_pending_chars must be > 0");
            }
            if (maxMessageBytes <= 0) {
                throw new IllegalArgumentException("limits.max_message_bytes must be > 0");
            }
        }

        /** 1024 frames, 4 MiB pending; provider events up to 16 MiB. */
        public static Limits defaults() {
            return new Limits(1024, 4L * 1024 * 1024, 16L * 1024 * 1024);
        }
    }
}
