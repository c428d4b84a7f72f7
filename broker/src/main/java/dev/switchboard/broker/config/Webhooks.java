package dev.switchboard.broker.config;

import static dev.switchboard.broker.config.BrokerConfig.or;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The signed webhooks of the configuration (issue 14): where notices are announced, how they are retried and where
 * undelivered ones wait. Immutable; secrets never appear in {@code toString} or in errors. See
 * {@code docs/webhooks.md}.
 *
 * @param allowPrivateTargets whether receivers on private, loopback, link-local, unique-local or unspecified
 *     addresses are allowed (refused by default: SSRF)
 * @param outboxDir the durable outbox, one file per message not yet delivered
 * @param retry the retry schedule
 * @param timeout one delivery attempt's deadline, from connecting to the receiver's status line
 * @param queueCapacity notices waiting for the webhook thread; more are dropped and counted
 * @param maxPending messages in the outbox at most; more are dropped and counted
 * @param endpoints the receivers
 */
public record Webhooks(boolean allowPrivateTargets, Path outboxDir, Retry retry, Duration timeout, int queueCapacity,
                       int maxPending, List<Endpoint> endpoints) {
    /** The event types, as written in {@code events} and in a payload's {@code type}. */
    public static final Set<String> EVENTS = Set.of("budget.threshold", "budget.exhausted", "limit.exceeded",
            "policy.violation", "provider.circuit_opened", "provider.circuit_closed");
    /** The prefix of a Standard Webhooks secret. */
    public static final String SECRET_PREFIX = "whsec_";
    private static final String DEFAULT_OUTBOX = "./webhook-outbox";

    public Webhooks {
        endpoints = List.copyOf(endpoints);
    }

    /** No webhooks. */
    public static Webhooks none() {
        return new Webhooks(false, Path.of(DEFAULT_OUTBOX), Retry.defaults(), Duration.ofSeconds(10), 4096, 10_000,
                List.of());
    }

    /** A copy keeping its outbox in {@code dir} (tests). */
    public Webhooks withOutboxDir(Path dir) {
        return new Webhooks(allowPrivateTargets, dir, retry, timeout, queueCapacity, maxPending, endpoints);
    }

    @JsonCreator
    static Webhooks bind(@JsonProperty("allow_private_targets") @Nullable Boolean allowPrivate,
                         @JsonProperty("outbox_dir") @Nullable String outboxDir,
                         @JsonProperty("retry") @Nullable Retry retry,
                         @JsonProperty("timeout") @Nullable Duration timeout,
                         @JsonProperty("queue_capacity") @Nullable Long queueCapacity,
                         @JsonProperty("max_pending") @Nullable Long maxPending,
                         @JsonProperty("endpoints") @Nullable List<@Nullable Endpoint> endpoints) {
        Webhooks d = none();
        boolean allow = or(allowPrivate, false);
        ConfigRule.require(outboxDir == null || !outboxDir.isBlank(), "outbox_dir", "must not be empty");
        Duration t = or(timeout, d.timeout());
        ConfigRule.require(t.compareTo(Duration.ofMillis(100)) >= 0 && t.compareTo(Duration.ofMinutes(5)) <= 0,
                "timeout", "must be between 100ms and 5m");
        List<Endpoint> list = BrokerConfig.present(endpoints, "endpoints");
        java.util.Set<String> urls = new java.util.HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            URI url = list.get(i).url();
            ConfigRule.require(urls.add(url.toString()), "endpoints[" + i + "].url",
                    "repeats another endpoint's URL (give one endpoint several events instead)");
            if (!allow) {
                Optional<String> kind = literalRefusal(url.getHost());
                if (kind.isPresent()) {
                    throw ConfigRule.of("endpoints[" + i + "].url", "names " + kind.get() + " host " + url.getHost()
                            + ": receivers on private, loopback, link-local, unique-local or unspecified addresses "
                            + "are refused unless webhooks.allow_private_targets is true");
                }
            }
        }
        return new Webhooks(allow, Path.of(or(outboxDir, DEFAULT_OUTBOX)), or(retry, d.retry()), t,
                (int) ConfigRule.between(or(queueCapacity, (long) d.queueCapacity()), 16, 1_000_000, "queue_capacity"),
                (int) ConfigRule.between(or(maxPending, (long) d.maxPending()), 1, 10_000_000, "max_pending"), list);
    }

    /**
     * Why {@code address} may not receive webhooks unless private targets are allowed: {@code "a loopback"},
     * {@code "a private"} and so on; empty when it is a public address.
     */
    public static Optional<String> refusal(InetAddress address) {
        byte[] raw = address.getAddress();
        if (address.isAnyLocalAddress()) {
            return Optional.of("an unspecified");
        }
        if (address.isLoopbackAddress()) {
            return Optional.of("a loopback");
        }
        if (address.isLinkLocalAddress()) {
            return Optional.of("a link-local");
        }
        if (address.isSiteLocalAddress() || (raw.length == 4 && ((raw[0] & 0xff) == 0
                || ((raw[0] & 0xff) == 100 && (raw[1] & 0xc0) == 64)))) {
            return Optional.of("a private");  // RFC 1918, 0.0.0.0/8 and the shared 100.64.0.0/10
        }
        if (raw.length == 16 && ((raw[0] & 0xfe) == 0xfc || (raw[0] & 0xff) == 0xfe && (raw[1] & 0xc0) == 0xc0)) {
            return Optional.of("a unique-local");  // fc00::/7, and the deprecated site-local fec0::/10
        }
        if (address.isMulticastAddress()) {
            return Optional.of("a multicast");
        }
        return Optional.empty();
    }

    /** The refusal of a URL's literal host (an IP address or {@code localhost}), without resolving names. */
    private static Optional<String> literalRefusal(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.equals("localhost") || h.endsWith(".localhost")) {
            return Optional.of("a loopback");
        }
        boolean literal = h.startsWith("[") || h.matches("[0-9.]+") || h.contains(":");
        if (!literal) {
            return Optional.empty();
        }
        try {
            // A literal is parsed, never looked up.
            return refusal(InetAddress.getByName(h.startsWith("[") ? h.substring(1, h.length() - 1) : h));
        } catch (UnknownHostException e) {
            return Optional.of("an unparseable");
        }
    }

    /**
     * The retry schedule: attempt {@code n + 1} waits between half and all of {@code min(max, initial * 2^(n-1))}
     * (equal jitter), or what a 429 or 503 asks by {@code Retry-After} (up to {@code max}); a message is given up
     * after {@code attempts} attempts or once it is {@code maxAge} old.
     */
    public record Retry(Duration initial, Duration max, int attempts, Duration maxAge) {
        /** 1 s doubling up to 10 min, 12 attempts, 24 h. */
        public static Retry defaults() {
            return new Retry(Duration.ofSeconds(1), Duration.ofMinutes(10), 12, Duration.ofHours(24));
        }

        @JsonCreator
        static Retry bind(@JsonProperty("initial") @Nullable Duration initial,
                          @JsonProperty("max") @Nullable Duration max,
                          @JsonProperty("attempts") @Nullable Long attempts,
                          @JsonProperty("max_age") @Nullable Duration maxAge) {
            Retry d = defaults();
            Duration first = or(initial, d.initial());
            Duration cap = or(max, d.max());
            ConfigRule.require(!first.isZero(), "initial", "must be > 0");
            ConfigRule.require(cap.compareTo(first) >= 0, "max", "must be >= initial");
            Duration age = or(maxAge, d.maxAge());
            ConfigRule.require(!age.isZero(), "max_age", "must be > 0");
            return new Retry(first, cap, (int) ConfigRule.between(or(attempts, (long) d.attempts()), 1, 100,
                    "attempts"), age);
        }
    }

    /**
     * One receiver.
     *
     * @param url where messages are POSTed ({@code http} or {@code https})
     * @param secrets the signing keys (the base64 decoding after {@code whsec_}); several during a rotation, each
     *     signing every message
     * @param events the event types sent to it
     * @param tenants the tenants whose events it gets, or {@code "*"}; provider events ignore this
     */
    public record Endpoint(URI url, List<byte[]> secrets, Set<String> events, List<String> tenants) {
        public Endpoint {
            secrets = secrets.stream().map(byte[]::clone).toList();
            events = Set.copyOf(events);
            tenants = List.copyOf(tenants);
        }

        /** Whether the endpoint receives {@code tenant}'s events. */
        public boolean servesTenant(String tenant) {
            return tenants.contains("*") || tenants.contains(tenant);
        }

        /** The URL without user info or query, safe to log. */
        public String displayUrl() {
            return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
                    + or(url.getRawPath(), "");
        }

        @Override
        public String toString() {
            return "Endpoint[url=" + displayUrl() + ", secrets=" + secrets.size() + " secret(s), events=" + events
                    + ", tenants=" + tenants + "]";
        }

        @JsonCreator
        static Endpoint bind(@JsonProperty("url") @Nullable String url,
                             @JsonProperty("secret") @Nullable Object secret,
                             @JsonProperty("secrets") @Nullable List<@Nullable String> secrets,
                             @JsonProperty("events") @Nullable List<@Nullable String> events,
                             @JsonProperty("tenants") @Nullable List<@Nullable String> tenants) {
            URI uri = url(url);
            ConfigRule.require(secret == null || secrets == null, "secret", "and secrets: give only one of them");
            List<byte[]> keys = new ArrayList<>();
            if (secret instanceof List<?> list) {
                list.forEach(s -> keys.add(secret(s, "secret")));
            } else if (secret != null) {
                keys.add(secret(secret, "secret"));
            }
            BrokerConfig.present(secrets, "secrets").forEach(s -> keys.add(secret(s, "secrets")));
            ConfigRule.require(!keys.isEmpty(), "secret", "is required (whsec_ followed by base64)");
            List<String> types = BrokerConfig.present(events, "events");
            ConfigRule.require(!types.isEmpty(), "events", "must list at least one of "
                    + new java.util.TreeSet<>(EVENTS));
            for (String type : types) {
                ConfigRule.require(EVENTS.contains(type), "events", "names unknown event '" + type + "' (known: "
                        + new java.util.TreeSet<>(EVENTS) + ")");
            }
            List<String> who = BrokerConfig.present(tenants, "tenants");
            return new Endpoint(uri, keys, Set.copyOf(types), who.isEmpty() ? List.of("*") : who);
        }

        private static URI url(@Nullable String url) {
            ConfigRule.require(url != null && !url.isBlank(), "url", "is required");
            URI uri;
            try {
                uri = new URI(url);
            } catch (URISyntaxException e) {
                throw ConfigRule.of("url", "is not a valid URL");
            }
            String scheme = or(uri.getScheme(), "").toLowerCase(Locale.ROOT);
            ConfigRule.require(scheme.equals("https") || scheme.equals("http"), "url", "must be an http or https URL");
            ConfigRule.require(uri.getHost() != null, "url", "must name a host");
            return uri;
        }

        /** A secret's key; the error never repeats the secret. */
        private static byte[] secret(@Nullable Object value, String key) {
            ConfigRule.require(value instanceof String s && s.startsWith(SECRET_PREFIX), key,
                    "must be whsec_ followed by base64 (as Standard Webhooks defines)");
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(((String) value).substring(SECRET_PREFIX.length()));
            } catch (IllegalArgumentException e) {
                throw ConfigRule.of(key, "must be whsec_ followed by valid base64");
            }
            ConfigRule.require(bytes.length >= 24 && bytes.length <= 64, key,
                    "must decode to 24 to 64 bytes (Standard Webhooks' secret size)");
            return bytes;
        }
    }
}
