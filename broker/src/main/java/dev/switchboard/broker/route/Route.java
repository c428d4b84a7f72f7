package dev.switchboard.broker.route;

import dev.switchboard.bridge.upstream.UpstreamConnector;
import java.util.List;

/**
 * The targets serving one model, in fallback order.
 *
 * @param model the client-facing model name
 * @param targets at least one target
 */
public record Route(String model, List<Target> targets) {
    public Route {
        targets = List.copyOf(targets);
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("a route needs at least one target");
        }
    }

    /** The first target. */
    public Target primary() {
        return targets.get(0);
    }

    /**
     * @param connector the provider connector
     * @param upstreamModel the provider's model name
     */
    public record Target(UpstreamConnector connector, String upstreamModel) {
    }
}
