package dev.switchboard.broker.guardrail;

import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.Guardrails;
import dev.switchboard.broker.tenant.TenantRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * One tenant's guardrails with their counter keys computed once, so the hot paths concatenate no strings except a
 * budget's period. Immutable.
 */
final class TenantRules {
    final String tenant;
    final Scope scope;
    final Map<String, Scope> keys;
    final List<Guardrails.Budget> budgets;
    final Guardrails.FailureMode onFailure;
    private final @Nullable CachedKey[] budgetKeys;

    private TenantRules(String tenant, Scope scope, Map<String, Scope> keys, List<Guardrails.Budget> budgets,
                        Guardrails.FailureMode onFailure) {
        this.tenant = tenant;
        this.scope = scope;
        this.keys = Map.copyOf(keys);
        this.budgets = budgets;
        this.onFailure = onFailure;
        this.budgetKeys = new CachedKey[budgets.size()];
    }

    /** The rules of tenant {@code id}, or null when it has no limit and no budget at all. */
    static @Nullable TenantRules of(String id, BrokerConfig.Tenant tenant) {
        Map<String, Scope> keys = new HashMap<>();
        tenant.keySettings().forEach((key, settings) -> {
            if (!settings.limits().isEmpty()) {
                String keyId = TenantRegistry.keyIdOf(key, settings.id());
                keys.put(keyId, new Scope("k/" + id + "/" + keyId, id, keyId, settings.limits()));
            }
        });
        if (tenant.limits().isEmpty() && tenant.budgets().isEmpty() && keys.isEmpty()) {
            return null;
        }
        return new TenantRules(id, new Scope("t/" + id, id, "", tenant.limits()), keys, tenant.budgets(),
                tenant.onGuardrailFailure());
    }

    /** The key's own scope, or null when the key has no limits of its own. */
    @Nullable Scope key(String keyId) {
        return keys.get(keyId);
    }

    /**
     * The spend counter of budget {@code index} in period {@code periodId}. Per delta: the key is kept per budget
     * until the period changes ({@link Periods} hands out one string per period, so identity is enough), so the
     * hot path allocates nothing. The slot is written racily, which is benign: the record is immutable and any
     * thread computes the same key.
     */
    String budgetKey(int index, String periodId) {
        CachedKey cached = budgetKeys[index];
        if (cached != null && cached.periodId == periodId) {
            return cached.key;
        }
        String key = "b/" + tenant + "/" + index + "/" + periodId;
        budgetKeys[index] = new CachedKey(periodId, key);
        return key;
    }

    private record CachedKey(String periodId, String key) {
    }

    /**
     * A tenant's or a key's limits and counter keys.
     *
     * @param name {@code t/TENANT} or {@code k/TENANT/KEY_ID}
     * @param tenant the tenant
     * @param keyId the key's id, or empty for the tenant's own scope
     */
    record Scope(String name, String tenant, String keyId, Guardrails.Limits limits, String requests, String tokens,
                 String responses, String sessions) {
        Scope(String name, String tenant, String keyId, Guardrails.Limits limits) {
            this(name, tenant, keyId, limits, "rpm/" + name, "tpm/" + name, "responses/" + name, "sessions/" + name);
        }

        OptionalLong rpm() {
            return limits.requestsPerMinute();
        }

        OptionalLong tpm() {
            return limits.tokensPerMinute();
        }
    }
}
