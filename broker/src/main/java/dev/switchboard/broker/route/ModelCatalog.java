package dev.switchboard.broker.route;

import dev.switchboard.broker.config.BrokerConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Client-facing model names and their routes. Immutable and thread-safe. */
public final class ModelCatalog {
    private final Map<String, Route> routes;
    private final Map<String, String> regions;

    private ModelCatalog(Map<String, Route> routes, Map<String, String> regions) {
        this.routes = Map.copyOf(routes);
        this.regions = Map.copyOf(regions);
    }

    /**
     * Builds the catalog.
     *
     * @param providers providers by name; must contain every provider the models name
     */
    public static ModelCatalog from(Map<String, BrokerConfig.Model> models, Map<String, Provider> providers) {
        return from(models, providers, Map.of());
    }

    /**
     * Builds the catalog with the providers' regions, for tenants' residency rules.
     *
     * @param regions provider name to region; a provider without one is in no region
     */
    public static ModelCatalog from(Map<String, BrokerConfig.Model> models, Map<String, Provider> providers,
                                    Map<String, String> regions) {
        Map<String, Route> routes = new LinkedHashMap<>();
        models.forEach((name, model) -> {
            List<Route.Target> targets = new ArrayList<>();
            for (BrokerConfig.Target target : model.route()) {
                Provider provider = providers.get(target.provider());
                if (provider == null) {
                    throw new IllegalStateException("no provider " + target.provider());
                }
                targets.add(new Route.Target(provider, target.model()));
            }
            routes.put(name, new Route(name, targets));
        });
        return new ModelCatalog(routes, regions);
    }

    /**
     * The route of {@code model} for a tenant allowed only {@code allowedRegions} (none: every region): its
     * targets in those regions, in order; empty when the model is not configured or has no target there, so a
     * failover never leaves the allowed regions.
     */
    public Optional<Route> route(String model, Set<String> allowedRegions) {
        Route route = routes.get(model);
        if (route == null || allowedRegions.isEmpty()) {
            return Optional.ofNullable(route);
        }
        // A provider without a region is in none of the allowed ones. It must not reach contains(null): the
        // tenant's region set is immutable (Set.copyOf), and its contains(null) throws, which answered 500 for
        // /v1/models and for such a model instead of leaving the target out.
        List<Route.Target> allowed = route.targets().stream().filter(t -> {
            String region = regions.get(t.provider().name());
            return region != null && allowedRegions.contains(region);
        }).toList();
        return allowed.isEmpty() ? Optional.empty() : Optional.of(new Route(model, allowed));
    }

    /** The route of {@code model}, if configured. */
    public Optional<Route> route(String model) {
        return Optional.ofNullable(routes.get(model));
    }

    /** Every configured model name. */
    public Set<String> models() {
        return routes.keySet();
    }
}
