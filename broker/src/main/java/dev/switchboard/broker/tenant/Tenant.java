package dev.switchboard.broker.tenant;

import java.util.Set;

/**
 * One tenant.
 *
 * @param id the tenant id from the configuration (never used as a metric tag)
 * @param models model names the tenant may use
 * @param allModels whether the tenant may use every configured model ({@code "*"})
 * @param brokerVad whether the broker's VAD runs on the tenant's voice sessions by default
 * @param regions when not empty, the only provider regions the tenant's requests may reach (residency)
 */
public record Tenant(String id, Set<String> models, boolean allModels, boolean brokerVad, Set<String> regions) {
    public Tenant {
        models = Set.copyOf(models);
        regions = Set.copyOf(regions);
    }

    /** A tenant without residency rules. */
    public Tenant(String id, Set<String> models, boolean allModels, boolean brokerVad) {
        this(id, models, allModels, brokerVad, Set.of());
    }

    /** Whether the tenant may use {@code model}. */
    public boolean mayUse(String model) {
        return allModels || models.contains(model);
    }
}
