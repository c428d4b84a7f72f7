package dev.switchboard.broker.config;

import dev.switchboard.bridge.upstream.StreamTimeouts;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole broker configuration. Immutable; validated by {@link ConfigLoader}. See {@code docs/configuration.md}.
 *
 * @param listen where to serve
 * @param simulator whether to start the embedded provider simulator (provider name {@code simulator})
 * @param providers upstream providers by name
 * @param models client-facing model names and their routes
 * @param tenants tenants by id
 * @param limits client input limits
 * @param outbound per-connection outbound buffer bounds
 * @param rings the Disruptor ring shards
 * @param sessions session lifetime after a dropped connection, resume tokens and the replay log
 * @param drain graceful shutdown
 */
public record BrokerConfig(
        Listen listen,
        Simulator simulator,
        Map<String, Provider> providers,
        Map<String, Model> models,
        Map<String, Tenant> tenants,
        Limits limits,
        Outbound outbound,
        Rings rings,
        Sessions sessions,
        Drain drain) {

    /** The provider name under which the embedded simulator is registered. */
    public static final String SIMULATOR_PROVIDER = "simulator";
    /** The provider kind relayed to a Realtime WebSocket upstream. */
    public static final String REALTIME_KIND = "openai-realtime";

    public BrokerConfig {
        providers = Map.copyOf(providers);
        models = Map.copyOf(models);
        tenants = Map.copyOf(tenants);
    }

    /** A copy listening on {@code host}/{@code port} (command-line overrides). */
    public BrokerConfig withListen(Listen newListen) {
        return new BrokerConfig(newListen, simulator, providers, models, tenants, limits, outbound, rings, sessions,
                drain);
    }

    /** A copy with other session settings (tests). */
    public BrokerConfig withSessions(Sessions newSessions) {
        return new BrokerConfig(listen, simulator, providers, models, tenants, limits, outbound, rings, newSessions,
                drain);
    }

    /**
     * @param host bind address
     * @param port TCP port; 0 picks a free one
     */
    public record Listen(String host, int port) {
    }

    /** @param enabled start the embedded simulator and register it as provider {@code simulator} */
    public record Simulator(boolean enabled) {
    }

    /**
     * @param kind {@code openai} or {@code anthropic}
     * @param baseUrl the API base URL; {@code simulator:/PATH} means PATH on the embedded simulator
     * @param apiKey the provider key; never logged
     * @param timeouts stream deadlines
     * @param retry retries on this provider before the route moves on
     * @param breaker this provider's circuit breaker
     * @param continuation {@code prefill} (continue a partial answer from an assistant prefill) or
     *     {@code restart}
     */
    public record Provider(String kind, URI baseUrl, Optional<String> apiKey, StreamTimeouts timeouts, Retry retry,
                           Breaker breaker, String continuation) {
        @Override
        public String toString() {
            return "Provider[kind=" + kind + ", baseUrl=" + baseUrl + ", apiKey=" + (apiKey.isPresent() ? "***" : "none")
                    + ", timeouts=" + timeouts + ", retry=" + retry + ", breaker=" + breaker + ", continuation="
                    + continuation + "]";
        }

        /** Whether {@link #baseUrl()} points into the embedded simulator. */
        public boolean onSimulator() {
            return "simulator".equals(baseUrl.getScheme());
        }
    }

    /**
     * @param maxRetries retries on the same provider before moving on
     * @param backoff the first retry's base delay, doubling per retry
     * @param maxBackoff cap on the backoff
     * @param maxRetryAfter the longest provider Retry-After honoured by waiting
     */
    public record Retry(int maxRetries, Duration backoff, Duration maxBackoff, Duration maxRetryAfter) {
        /** 2 retries, 100 ms to 2 s, Retry-After up to 5 s. */
        public static Retry defaults() {
            return new Retry(2, Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(5));
        }
    }

    /**
     * @param failureThreshold consecutive failures that open the breaker
     * @param openFor the longest it stays open before one probe is let through
     * @param probeAfter how long it stays open before the first probe; doubles after each failed probe up to
     *     {@code openFor}
     */
    public record Breaker(int failureThreshold, Duration openFor, Duration probeAfter) {
        /** 5 failures; first probe after 1 s, doubling up to 30 s. */
        public static Breaker defaults() {
            return new Breaker(5, Duration.ofSeconds(30), Duration.ofSeconds(1));
        }
    }

    /** @param route {@code provider/upstream-model} targets in fallback order */
    public record Model(List<Target> route) {
        public Model {
            route = List.copyOf(route);
        }
    }

    /**
     * @param provider the provider name
     * @param model the provider's model name
     */
    public record Target(String provider, String model) {
    }

    /**
     * @param keys API keys of the tenant
     * @param models model names the tenant may use; {@code *} allows all
     */
    /**
     * @param keys API keys
     * @param models model names, or {@code "*"}
     * @param brokerVad whether the broker's own VAD runs on every voice session of the tenant (sessions may also
     *     opt in themselves; see {@code docs/voice.md})
     */
    public record Tenant(List<String> keys, List<String> models, boolean brokerVad) {
        public Tenant {
            keys = List.copyOf(keys);
            models = List.copyOf(models);
        }

        @Override
        public String toString() {
            return "Tenant[keys=" + keys.size() + " key(s), models=" + models + ", brokerVad=" + brokerVad + "]";
        }
    }

    /**
     * Client input limits.
     *
     * @param maxFrameBytes largest client text message accepted, in UTF-8 bytes, and so the most of one inbound
     *     message a connection holds; a larger message, of any size, is discarded as it arrives and gets one
     *     {@code frame_too_large} error
     * @param requestHeaderTimeout how long an HTTP request may take from its first byte to the end of its headers;
     *     a connection still sending headers then is closed
     * @param requestBodyTimeout how long an HTTP request body may take to arrive once its headers are in; a body
     *     still arriving then is answered with 408 and the connection closed
     */
    public record Limits(int maxFrameBytes, Duration requestHeaderTimeout, Duration requestBodyTimeout) {
        /** 1 MiB. */
        public static final int DEFAULT_MAX_FRAME_BYTES = 1 << 20;
        /** 10 s. */
        public static final Duration DEFAULT_REQUEST_HEADER_TIMEOUT = Duration.ofSeconds(10);
        /** 60 s. */
        public static final Duration DEFAULT_REQUEST_BODY_TIMEOUT = Duration.ofSeconds(60);

        /** 1 MiB frames, 10 s for request headers, 60 s for a request body. */
        public static Limits defaults() {
            return new Limits(DEFAULT_MAX_FRAME_BYTES, DEFAULT_REQUEST_HEADER_TIMEOUT, DEFAULT_REQUEST_BODY_TIMEOUT);
        }
    }

    /**
     * Per-connection outbound bounds.
     *
     * @param highWatermarkBytes above this many unsent bytes, the active upstream stops being read
     * @param lowWatermarkBytes below this, reading resumes
     * @param maxBytes above this, the client is disconnected as a slow consumer
     * @param maxFrames above this many unsent frames, likewise
     * @param maxStall a client that stays above the high watermark this long is disconnected as a slow consumer
     */
    public record Outbound(long highWatermarkBytes, long lowWatermarkBytes, long maxBytes, int maxFrames,
                           Duration maxStall) {
        /** 64 KiB high, 16 KiB low, 4 MiB and 8,192 frames hard limits, 10 s stall. */
        public static Outbound defaults() {
            return new Outbound(64 * 1024, 16 * 1024, 4L * 1024 * 1024, 8192, Duration.ofSeconds(10));
        }
    }

    /**
     * What outlives a connection.
     *
     * @param resumeTtl how long a session without a connection lives (and keeps streaming) before it ends
     * @param resumeSecret the key resume tokens are signed with; empty: a random key per process
     * @param replayMaxEvents the most server events a session's replay log keeps
     * @param replayMaxBytes the most encoded bytes it keeps
     */
    public record Sessions(Duration resumeTtl, Optional<String> resumeSecret, int replayMaxEvents,
                           long replayMaxBytes) {
        /** 60 s, a random secret, 16,384 events, 4 MiB. */
        public static Sessions defaults() {
            return new Sessions(Duration.ofSeconds(60), Optional.empty(), 16_384, 4L << 20);
        }
    }

    /**
     * @param timeout how long in-flight responses may run after SIGTERM before every connection is closed
     */
    public record Drain(Duration timeout) {
        /** 30 s. */
        public static Drain defaults() {
            return new Drain(Duration.ofSeconds(30));
        }
    }

    /**
     * @param shards number of rings (and consumer threads); sessions are spread across them
     * @param size slots per ring, a power of two
     * @param waitStrategy how an idle consumer waits: {@code blocking} (parks; producers wake it) or
     *     {@code sleeping} (spins, yields, then sleeps briefly; producers never make a system call)
     */
    public record Rings(int shards, int size, String waitStrategy) {
        /** One shard per core (at least 2), 16,384 slots each, blocking wait. */
        public static Rings defaults() {
            return new Rings(Math.max(2, Runtime.getRuntime().availableProcessors()), 16384, "blocking");
        }
    }
}
