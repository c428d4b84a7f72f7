package dev.switchboard.broker.tenant;

import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.Guardrails;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Looks tenants up by API key. Keys are held only as SHA-256 digests, so a heap dump or a log line never shows
 * one, and the lookup does not leak key prefixes through timing. Immutable and thread-safe.
 */
public final class TenantRegistry {
    private final Map<String, Tenant> byKeyDigest;
    private final Map<String, String> keyIdByDigest;

    private TenantRegistry(Map<String, Tenant> byKeyDigest, Map<String, String> keyIdByDigest) {
        this.byKeyDigest = Map.copyOf(byKeyDigest);
        this.keyIdByDigest = Map.copyOf(keyIdByDigest);
    }

    /** Builds the registry from validated configuration. */
    public static TenantRegistry from(Map<String, BrokerConfig.Tenant> tenants) {
        Map<String, Tenant> byDigest = new HashMap<>();
        Map<String, String> ids = new HashMap<>();
        tenants.forEach((id, config) -> {
            boolean all = config.models().contains("*");
            Tenant tenant = new Tenant(id, new HashSet<>(config.models()), all, config.brokerVad(),
                    Set.copyOf(config.regions()));
            config.keys().forEach(key -> {
                byDigest.put(digest(key), tenant);
                        Guardrails.Key settings = config.keySettings().get(key);
                ids.put(digest(key), keyIdOf(key, settings == null ? Optional.empty() : settings.id()));
            });
        });
        return new TenantRegistry(byDigest, ids);
    }

    /**
     * The non-secret id of {@code key}: the id the configuration gives it, else {@code key_} and the first 12 hex
     * digits of its SHA-256.
     */
    public static String keyIdOf(String key, Optional<String> configuredId) {
        return configuredId.orElseGet(() -> "key_" + digest(key).substring(0, 12));
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
        return tenant == null ? Optional.empty() : Optional.of(new Principal(tenant, keyIdByDigest.get(digest)));
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
