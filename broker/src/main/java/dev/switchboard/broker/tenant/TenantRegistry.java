package dev.switchboard.broker.tenant;

import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.Guardrails;
import dev.switchboard.broker.policy.ContentPolicy;
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
    /** Each key's tenant, id and session limits, by the key's SHA-256 digest. */
    private final Map<String, Principal> byKeyDigest;

    private TenantRegistry(Map<String, Principal> byKeyDigest) {
        this.byKeyDigest = Map.copyOf(byKeyDigest);
    }

    /**
     * Whether the key {@code principal} authenticated with is still one of its tenant's keys here (a reload may have
     * revoked it, or moved it to another tenant).
     */
    public boolean holds(Principal principal) {
        Principal now = byKeyDigest.get(principal.keyDigest());
        return now != null && now.tenant().id().equals(principal.tenant().id());
    }

    /**
     * Builds the registry from validated configuration. A key's session limits are the tighter of its tenant's and
     * its own (a plain key has none of its own).
     */
    public static TenantRegistry from(Map<String, BrokerConfig.Tenant> tenants) {
        return from(tenants, Map.of());
    }

    /** As {@link #from(Map)}, with the compiled content policies the tenants refer to. */
    public static TenantRegistry from(Map<String, BrokerConfig.Tenant> tenants, Map<String, ContentPolicy> policies) {
        Map<String, Principal> byDigest = new HashMap<>();
        tenants.forEach((id, config) -> {
            boolean all = config.models().contains("*");
            Optional<ContentPolicy> policy = config.policy().map(name -> Optional.ofNullable(policies.get(name))
                    .orElseThrow(() -> new IllegalArgumentException("tenant " + id + " names unknown policy " + name)));
            Tenant tenant = new Tenant(id, new HashSet<>(config.models()), all, config.brokerVad(),
                    Set.copyOf(config.regions()), policy);
            config.keys().forEach(key -> {
                Optional<Guardrails.Key> settings = Optional.ofNullable(config.keySettings().get(key));
                String keyId = keyIdOf(key, settings.flatMap(Guardrails.Key::id));
                SessionLimits limits = SessionLimits.of(config.limits(),
                        settings.map(Guardrails.Key::limits).orElse(Guardrails.Limits.NONE));
                String digest = digest(key);
                byDigest.put(digest, new Principal(tenant, keyId, limits, digest));
            });
        });
        return new TenantRegistry(byDigest);
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
        return Optional.ofNullable(byKeyDigest.get(digest(apiKey)));
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
