package dev.switchboard.broker.route;

import dev.switchboard.bridge.realtime.RelayConnector;
import dev.switchboard.bridge.upstream.UpstreamConnector;

/**
 * A configured provider at run time: what kind of upstream it is, how failures are retried, and its circuit
 * breaker. Thread-safe; shared by all sessions.
 *
 * @param name the provider name (a metric tag)
 * @param kind SSE-bridged or relayed, with its connector
 * @param retry retry decisions for this provider's failures
 * @param breaker this provider's circuit breaker
 */
public record Provider(String name, Kind kind, RetryPolicy retry, CircuitBreaker breaker) {

    /**
     * The two ways the broker serves a provider; configuration keeps a route to one kind, so a session only ever
     * meets providers of its own kind.
     */
    public sealed interface Kind {
        /**
         * A chat-completions or messages SSE provider: the broker runs the Realtime protocol over its streams.
         *
         * @param connector opens one stream per response attempt
         * @param prefill whether a trailing assistant message is continued (true for Anthropic and the simulator;
         *     false for OpenAI, which answers it with a new message instead)
         */
        record Bridged(UpstreamConnector connector, boolean prefill) implements Kind {
        }

        /**
         * A Realtime WebSocket provider ({@code kind: openai-realtime}): the session is relayed to it.
         *
         * @param connector opens one relay per session
         */
        record Relayed(RelayConnector connector) implements Kind {
        }
    }

    /** The SSE side of a bridged provider; a relayed one here is a routing bug. */
    public Kind.Bridged bridged() {
        if (kind instanceof Kind.Bridged bridged) {
            return bridged;
        }
        throw new IllegalStateException("provider " + name + " is a Realtime relay, not an SSE provider");
    }

    /** The relay connector of a relayed provider; a bridged one here is a routing bug. */
    public RelayConnector relay() {
        if (kind instanceof Kind.Relayed relayed) {
            return relayed.connector();
        }
        throw new IllegalStateException("provider " + name + " is an SSE provider, not a Realtime relay");
    }
}
