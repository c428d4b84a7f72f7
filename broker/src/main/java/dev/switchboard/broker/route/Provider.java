package dev.switchboard.broker.route;

import dev.switchboard.bridge.realtime.RelayConnector;
import dev.switchboard.bridge.upstream.UpstreamConnector;
import java.util.Optional;

/**
 * A configured provider at run time: its connector, how failures are retried, its circuit breaker, and whether
 * it can continue a partial answer from an assistant prefill. Thread-safe; shared by all sessions.
 *
 * @param name the provider name (a metric tag)
 * @param connector opens SSE streams (for a Realtime provider: one that refuses every stream, never used, since
 *     routes do not mix provider kinds)
 * @param retry retry decisions for this provider's failures
 * @param breaker this provider's circuit breaker
 * @param prefill whether a trailing assistant message is continued (true for Anthropic and the simulator;
 *     false for OpenAI, which answers it with a new message instead)
 * @param relay for a Realtime WebSocket provider ({@code kind: openai-realtime}), its relay connector
 */
public record Provider(String name, UpstreamConnector connector, RetryPolicy retry, CircuitBreaker breaker,
                       boolean prefill, Optional<RelayConnector> relay) {

    /** Whether sessions on this provider are relayed to a Realtime WebSocket. */
    public boolean realtime() {
        return relay.isPresent();
    }
}
