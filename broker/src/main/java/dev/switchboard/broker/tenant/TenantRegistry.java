package dev.switchboard.broker.tenant;

import dev.switchboard.broker.config.BrokerConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;

/**
 * Looks tenants up by API key. Keys are held only as SHA-256 digests, so a heap dump or a log line never shows
 * one, and the lookup does not leak key prefixes through timing. Immutable and thread-safe.
 */
public final class TenantRegistry {
    private final Map<String, Tenant> byKeyDigest;

    private TenantRegistry(Map<String, Tenant> byKeyDigest) {
        this.byKeyDigest = Map.copyOf(byKeyDigest);
    }

    /** Builds the registry from validated configuration. */
    public static TenantRegistry from(Map<String, BrokerConfig.Tenant> tenants) {
        Map<String, Tenant> byDigest = new HashMap<>();
        tenants.forEach((id, config) -> {
            boolean all = config.models().contains("*");
            Tenant tenant = new Tenant(id, new HashSet<>(config.models()), all, config.brokerVad());
            config.keys().forEach(key -> byDigest.put(digest(key), tenant));
        });
        return new TenantRegistry(byDigest);
    }

    /** The tenant owning {@code apiKey}, if any. */
    public Optional<Tenant> authenticate(String apiKey) {
        return resolve(apiKey).map(Principal::tenant);
    }

    /** The tenant and key id of {@code apiKey}, or empty when no tenant has that key. Any thread. */
    public Optional<Principal> resolve(String apiKey) {
        if (apiKey.isEmpty()) {
            return Optional.empty();
        }
        String digest = digest(apiKey);
        Tenant tenant = byKeyDigest.get(digest);
        return tenant == null ? Optional.empty() : Optional.of(new Principal(tenant, "key_" + digest.substring(0, 12)));
    }

    private static String digest(String key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
