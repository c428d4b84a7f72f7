package dev.switchboard.broker.route;

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
     * @param provider the provider
     * @param upstreamModel the provider's model name
     */
    public record Target(Provider provider, String upstreamModel) {
    }
}
