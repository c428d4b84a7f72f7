package dev.switchboard.bridge.upstream;

/**
 * Receives one stream's events. Implemented by the broker; must never block.
 */
@FunctionalInterface
public interface UpstreamListener {

    /**
     * Offers the next event.
     *
     * @return {@code true} when the event was taken; {@code false} when it cannot be taken now (backpressure).
     *     After a refusal the upstream holds the event and reads nothing more until {@link Upstream#retryDelivery()};
     *     the listener must arrange for that call.
     */
    boolean tryDeliver(UpstreamEvent event);
}
