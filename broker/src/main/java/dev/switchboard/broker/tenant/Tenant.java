package dev.switchboard.broker.tenant;

import dev.switchboard.broker.policy.ContentPolicy;
import java.util.Optional;
import java.util.Set;

/**
 * One tenant.
 *
 * @param id the tenant id from the configuration (never used as a metric tag)
 * @param models model names the tenant may use
 * @param allModels whether the tenant may use every configured model ({@code "*"})
 * @param brokerVad whether the broker's VAD runs on the tenant's voice sessions by default
 * @param regions when not empty, the only provider regions the tenant's requests may reach (residency)
 * @param policy the content policy applied to the tenant's input and output, if any
 */
public record Tenant(String id, Set<String> models, boolean allModels, boolean brokerVad, Set<String> regions,
                     Optional<ContentPolicy> policy) {
    public Tenant {
        models = Set.copyOf(models);
        regions = Set.copyOf(regions);
    }

    /** A tenant without residency rules or content policy. */
    public Tenant(String id, Set<String> models, boolean allModels, boolean brokerVad) {
        this(id, models, allModels, brokerVad, Set.of(), Optional.empty());
    }

    /** Whether the tenant may use {@code model}. */
    public boolean mayUse(String model) {
        return allModels || models.contains(model);
    }
}
