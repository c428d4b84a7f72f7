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

    private ModelCatalog(Map<String, Route> routes) {
        this.routes = Map.copyOf(routes);
    }

    /**
     * Builds the catalog.
     *
     * @param providers providers by name; must contain every provider the models name
     */
    public static ModelCatalog from(Map<String, BrokerConfig.Model> models, Map<String, Provider> providers) {
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
        return new ModelCatalog(routes);
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
