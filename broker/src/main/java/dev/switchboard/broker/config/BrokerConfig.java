package dev.switchboard.broker.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.switchboard.bridge.upstream.StreamTimeouts;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The whole broker configuration. Immutable. See {@code docs/configuration.md}.
 *
 * <p>{@link ConfigLoader} binds the file into these records with Jackson: each record's {@code bind} factory names
 * the file's keys, fills the defaults (which live here, one place) and checks the rules about its own keys, so that
 * a rule sits beside the value it is about. A broken rule is a {@link ConfigRule} naming the key relative to the
 * record; the loader adds the path. Rules that span sections (a route naming an unknown provider, a key used by two
 * tenants) are the loader's. The canonical constructors check nothing: tests build configurations with them.
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
 * @param prices model aliases' prices, for cost budgets
 * @param usage where guardrail usage is kept across restarts
 * @param policies content policies by name, which tenants refer to
 * @param webhooks signed webhooks announcing notices (see {@link Webhooks})
 * @param audit the audit log, when configured
 * @param admin the admin API's listener, tokens and OIDC provider, when configured (see {@link Admin})
 * @param metrics where {@code /metrics} is served (see {@link Metrics})
 * @param logging the log's format and level (see {@link Logging})
 * @param telemetry OpenTelemetry trace export (see {@link Telemetry})
 * @param cluster shared state for more than one broker (see {@link Cluster}); local by default
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
        Drain drain,
        Map<String, Guardrails.Price> prices,
        Guardrails.Usage usage,
        Map<String, Policies.Policy> policies,
        Webhooks webhooks,
        Optional<Audit> audit,
        Optional<Admin> admin,
        Metrics metrics,
        Logging logging,
        Telemetry telemetry,
        Cluster cluster) {

    /** The provider name under which the embedded simulator is registered. */
    public static final String SIMULATOR_PROVIDER = "simulator";
    /** The provider kind relayed to a Realtime WebSocket upstream. */
    public static final String REALTIME_KIND = "openai-realtime";

    public BrokerConfig {
        providers = Map.copyOf(providers);
        models = Map.copyOf(models);
        tenants = Map.copyOf(tenants);
        prices = Map.copyOf(prices);
        policies = Map.copyOf(policies);
    }

    @JsonCreator
    static BrokerConfig bind(@JsonProperty("listen") @Nullable Listen listen,
                             @JsonProperty("simulator") @Nullable Simulator simulator,
                             @JsonProperty("providers") @Nullable Map<String, Provider> providers,
                             @JsonProperty("models") @Nullable Map<String, Model> models,
                             @JsonProperty("tenants") @Nullable Map<String, Tenant> tenants,
                             @JsonProperty("limits") @Nullable Limits limits,
                             @JsonProperty("outbound") @Nullable Outbound outbound,
                             @JsonProperty("rings") @Nullable Rings rings,
                             @JsonProperty("sessions") @Nullable Sessions sessions,
                             @JsonProperty("drain") @Nullable Drain drain,
                             @JsonProperty("prices") @Nullable Map<String, Guardrails.Price> prices,
                             @JsonProperty("usage") Guardrails.@Nullable Usage usage,
                             @JsonProperty("policies") @Nullable Map<String, Policies.Policy> policies,
                             @JsonProperty("webhooks") @Nullable Webhooks webhooks,
                             @JsonProperty("audit") @Nullable Audit audit,
                             @JsonProperty("admin") @Nullable Admin admin,
                             @JsonProperty("metrics") @Nullable Metrics metrics,
                             @JsonProperty("logging") @Nullable Logging logging,
                             @JsonProperty("telemetry") @Nullable Telemetry telemetry,
                             @JsonProperty("cluster") @Nullable Cluster cluster) {
        return new BrokerConfig(or(listen, Listen.defaults()), or(simulator, new Simulator(false)),
                or(providers, Map.of()), or(models, Map.of()), or(tenants, Map.of()), or(limits, Limits.defaults()),
                or(outbound, Outbound.defaults()), or(rings, Rings.defaults()), or(sessions, Sessions.defaults()),
                or(drain, Drain.defaults()), or(prices, Map.of()), or(usage, Guardrails.Usage.defaults()),
                or(policies, Map.of()), or(webhooks, Webhooks.none()), Optional.ofNullable(audit),
                Optional.ofNullable(admin), or(metrics, Metrics.defaults()), or(logging, Logging.defaults()),
                or(telemetry, Telemetry.none()), or(cluster, Cluster.local()));
    }

    /** {@code value}, or {@code fallback} when the file leaves it out. */
    static <T> T or(@Nullable T value, T fallback) {
        return value != null ? value : fallback;
    }

    /** The list under {@code key}, empty when absent; an empty entry ({@code - }) is refused. */
    static <T> List<T> present(@Nullable List<@Nullable T> values, String key) {
        List<@Nullable T> list = or(values, List.<@Nullable T>of());
        ConfigRule.require(list.stream().allMatch(java.util.Objects::nonNull), key, "must not contain empty entries");
        return list.stream().map(java.util.Objects::requireNonNull).toList();
    }

    /**
     * A copy listening on {@code host}/{@code port} (command-line overrides). Port 0 (a free port: tests, embedded
     * brokers) puts the admin listener on a free port too, so that two such brokers never collide on it.
     */
    public BrokerConfig withListen(Listen newListen) {
        Optional<Admin> newAdmin = newListen.port() != 0 ? admin
                : admin.map(a -> a.withListen(a.listen().withAddress(a.listen().host(), 0)));
        return new BrokerConfig(newListen, simulator, providers, models, tenants, limits, outbound, rings, sessions,
                drain, prices, usage, policies, webhooks, audit, newAdmin, metrics, logging, telemetry, cluster);
    }

    /** A copy with the admin API in {@code newAdmin}, or none, and {@code /metrics} served as {@code newMetrics}. */
    public BrokerConfig withAdmin(Optional<Admin> newAdmin, Metrics newMetrics) {
        return new BrokerConfig(listen, simulator, providers, models, tenants, limits, outbound, rings, sessions,
                drain, prices, usage, policies, webhooks, audit, newAdmin, newMetrics, logging, telemetry, cluster);
    }

    /** A copy with other session settings (tests). */
    public BrokerConfig withSessions(Sessions newSessions) {
        return new BrokerConfig(listen, simulator, providers, models, tenants, limits, outbound, rings, newSessions,
                drain, prices, usage, policies, webhooks, audit, admin, metrics, logging, telemetry, cluster);
    }

    /** A copy exporting traces as {@code newTelemetry} says (tests). */
    public BrokerConfig withTelemetry(Telemetry newTelemetry) {
        return new BrokerConfig(listen, simulator, providers, models, tenants, limits, outbound, rings, sessions,
                drain, prices, usage, policies, webhooks, audit, admin, metrics, logging, newTelemetry, cluster);
    }

    /** A copy with the audit log in {@code newAudit}, or none (tests). */
    public BrokerConfig withAudit(Optional<Audit> newAudit) {
        return new BrokerConfig(listen, simulator, providers, models, tenants, limits, outbound, rings, sessions,
                drain, prices, usage, policies, webhooks, newAudit, admin, metrics, logging, telemetry, cluster);
    }

    /** A copy sharing state as {@code newCluster} says (tests). */
    public BrokerConfig withCluster(Cluster newCluster) {
        return new BrokerConfig(listen, simulator, providers, models, tenants, limits, outbound, rings, sessions,
                drain, prices, usage, policies, webhooks, audit, admin, metrics, logging, telemetry, newCluster);
    }

    /** A copy keeping usage in {@code newUsage} (tests). */
    public BrokerConfig withUsage(Guardrails.Usage newUsage) {
        return new BrokerConfig(listen, simulator, providers, models, tenants, limits, outbound, rings, sessions,
                drain, prices, newUsage, policies, webhooks, audit, admin, metrics, logging, telemetry, cluster);
    }

    /**
     * @param host bind address
     * @param port TCP port; 0 picks a free one
     * @param tls the listener's certificate and key: when present it serves {@code https}/{@code wss} only
     *     (see {@code docs/tls.md})
     */
    public record Listen(String host, int port, Optional<Tls> tls) {
        /** A plain {@code http}/{@code ws} listener. */
        public Listen(String host, int port) {
            this(host, port, Optional.empty());
        }

        /** 127.0.0.1:8080. */
        public static Listen defaults() {
            return new Listen("127.0.0.1", 8080);
        }

        /** A copy on another address, with the same TLS settings (command-line overrides, tests). */
        public Listen withAddress(String newHost, int newPort) {
            return new Listen(newHost, newPort, tls);
        }

        @JsonCreator
        static Listen bind(@JsonProperty("host") @Nullable String host, @JsonProperty("port") @Nullable Long port,
                           @JsonProperty("tls") @Nullable Tls tls) {
            return new Listen(or(host, "127.0.0.1"), (int) ConfigRule.between(or(port, 8080L), 0, 65535, "port"),
                    Optional.ofNullable(tls));
        }
    }

    /** @param enabled start the embedded simulator and register it as provider {@code simulator} */
    public record Simulator(boolean enabled) {
        @JsonCreator
        static Simulator bind(@JsonProperty("enabled") @Nullable Boolean enabled) {
            return new Simulator(or(enabled, false));
        }
    }

    /** The provider kinds: SSE-bridged {@code openai} and {@code anthropic}, relayed {@code openai-realtime}. */
    enum ProviderKind implements ConfigValues.Word {
        OPENAI, ANTHROPIC, OPENAI_REALTIME
    }

    /** How a provider continues a cut answer after a failover. */
    enum Continuation implements ConfigValues.Word {
        PREFILL, RESTART
    }

    /** A provider's stream deadlines as written in the file; absent ones take {@link StreamTimeouts#defaults()}. */
    record Timeouts(StreamTimeouts value) {
        @JsonCreator
        static Timeouts bind(@JsonProperty("connect") @Nullable Duration connect,
                             @JsonProperty("first_token") @Nullable Duration firstToken,
                             @JsonProperty("idle") @Nullable Duration idle) {
            StreamTimeouts d = StreamTimeouts.defaults();
            return new Timeouts(new StreamTimeouts(or(connect, d.connect()), or(firstToken, d.firstToken()),
                    or(idle, d.idle())));
        }
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
     * @param region where the provider serves from (any label), for tenants' residency rules; empty: no region
     * @param tls the CA bundle its {@code https}/{@code wss} connections trust; empty: the JVM's default trust
     */
    public record Provider(String kind, URI baseUrl, Optional<String> apiKey, StreamTimeouts timeouts, Retry retry,
                           Breaker breaker, String continuation, Optional<String> region, Optional<Tls.Trust> tls) {
        @Override
        public String toString() {
            return "Provider[kind=" + kind + ", baseUrl=" + baseUrl + ", apiKey=" + (apiKey.isPresent() ? "***" : "none")
                    + ", timeouts=" + timeouts + ", retry=" + retry + ", breaker=" + breaker + ", continuation="
                    + continuation + ", region=" + region.orElse("none") + ", tls=" + tls.map(Tls.Trust::toString)
                    .orElse("default") + "]";
        }

        @JsonCreator
        static Provider bind(@JsonProperty("kind") @Nullable ProviderKind kind,
                             @JsonProperty("base_url") @Nullable String baseUrl,
                             @JsonProperty("api_key") @Nullable String apiKey,
                             @JsonProperty("timeouts") @Nullable Timeouts timeouts,
                             @JsonProperty("retry") @Nullable Retry retry,
                             @JsonProperty("circuit_breaker") @Nullable Breaker breaker,
                             @JsonProperty("continuation") @Nullable Continuation continuation,
                             @JsonProperty("region") @Nullable String region,
                             @JsonProperty("tls") Tls.@Nullable Trust tls) {
            if (kind == null) {
                throw ConfigRule.of("kind", "is required (one of " + ConfigValues.words(ProviderKind.class) + ")");
            }
            if (baseUrl == null) {
                throw ConfigRule.of("base_url", "is required");
            }
            // OpenAI's chat completions cannot continue an assistant message; the simulator's can.
            Continuation fallback = kind == ProviderKind.OPENAI && !baseUrl.startsWith("simulator:")
                    ? Continuation.RESTART : Continuation.PREFILL;
            return new Provider(kind.word(), ConfigValues.providerUrl(baseUrl, kind == ProviderKind.OPENAI_REALTIME,
                    "base_url"), Optional.ofNullable(apiKey), timeouts == null ? StreamTimeouts.defaults()
                    : timeouts.value(), or(retry, Retry.defaults()), or(breaker, Breaker.defaults()),
                    or(continuation, fallback).word(), Optional.ofNullable(region).filter(r -> !r.isBlank()),
                    Optional.ofNullable(tls));
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

        @JsonCreator
        static Retry bind(@JsonProperty("max_retries") @Nullable Long maxRetries,
                          @JsonProperty("backoff") @Nullable Duration backoff,
                          @JsonProperty("max_backoff") @Nullable Duration maxBackoff,
                          @JsonProperty("max_retry_after") @Nullable Duration maxRetryAfter) {
            Retry d = defaults();
            int retries = (int) ConfigRule.between(or(maxRetries, (long) d.maxRetries()), 0, 10, "max_retries");
            Duration base = or(backoff, d.backoff());
            Duration max = or(maxBackoff, d.maxBackoff());
            ConfigRule.require(max.compareTo(base) >= 0, "max_backoff", "must be >= backoff");
            return new Retry(retries, base, max, or(maxRetryAfter, d.maxRetryAfter()));
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

        @JsonCreator
        static Breaker bind(@JsonProperty("failure_threshold") @Nullable Long failureThreshold,
                            @JsonProperty("open_for") @Nullable Duration openFor,
                            @JsonProperty("probe_after") @Nullable Duration probeAfter) {
            Breaker d = defaults();
            int threshold = (int) ConfigRule.between(or(failureThreshold, (long) d.failureThreshold()), 1, 1000,
                    "failure_threshold");
            Duration open = or(openFor, d.openFor());
            // Without an explicit probe_after, a short open_for is also the first probe's wait.
            Duration probe = or(probeAfter, d.probeAfter().compareTo(open) > 0 ? open : d.probeAfter());
            ConfigRule.require(probe.compareTo(open) <= 0, "probe_after", "must be > 0 and <= open_for");
            return new Breaker(threshold, open, probe);
        }
    }

    /** @param route {@code provider/upstream-model} targets in fallback order */
    public record Model(List<Target> route) {
        public Model {
            route = List.copyOf(route);
        }

        @JsonCreator
        static Model bind(@JsonProperty("route") @Nullable List<@Nullable String> route) {
            List<Target> targets = new java.util.ArrayList<>();
            for (String target : or(route, List.<@Nullable String>of())) {
                ConfigRule.require(target != null, "route", "must not contain empty entries");
                int slash = target.indexOf('/');
                ConfigRule.require(slash > 0 && slash < target.length() - 1, "route",
                        "entries must be 'provider/model' but one was '" + target + "'");
                targets.add(new Target(target.substring(0, slash), target.substring(slash + 1)));
            }
            ConfigRule.require(!targets.isEmpty(), "route", "must list at least one provider/model target");
            return new Model(targets);
        }
    }

    /**
     * @param provider the provider name
     * @param model the provider's model name
     */
    public record Target(String provider, String model) {
    }

    /**
     * A tenant: its keys, what it may use and its guardrails.
     *
     * @param keys API keys, in the file's order
     * @param models model names, or {@code "*"}
     * @param brokerVad whether the broker's own VAD runs on every voice session of the tenant (sessions may also
     *     opt in themselves; see {@code docs/voice.md})
     * @param keySettings each key's id and own limits, by key, for the keys the file gives them
     * @param regions when not empty, the only provider regions the tenant's requests may reach
     * @param limits the tenant's limits
     * @param budgets the tenant's spending caps
     * @param onGuardrailFailure what happens while the usage store cannot answer
     */
    public record Tenant(List<String> keys, List<String> models, boolean brokerVad,
                         Map<String, Guardrails.Key> keySettings, List<String> regions, Guardrails.Limits limits,
                         List<Guardrails.Budget> budgets, Guardrails.FailureMode onGuardrailFailure,
                         Optional<String> policy) {
        public Tenant {
            keys = List.copyOf(keys);
            models = List.copyOf(models);
            keySettings = Map.copyOf(keySettings);
            regions = List.copyOf(regions);
            budgets = List.copyOf(budgets);
        }

        /** A tenant without guardrails. */
        public Tenant(List<String> keys, List<String> models, boolean brokerVad) {
            this(keys, models, brokerVad, Map.of(), List.of(), Guardrails.Limits.NONE, List.of(),
                    Guardrails.FailureMode.CLOSED, Optional.empty());
        }

        @JsonCreator
        static Tenant bind(@JsonProperty("keys") @Nullable List<Guardrails.@Nullable Key> keys,
                           @JsonProperty("models") @Nullable List<@Nullable String> models,
                           @JsonProperty("broker_vad") @Nullable Boolean brokerVad,
                           @JsonProperty("regions") @Nullable List<@Nullable String> regions,
                           @JsonProperty("limits") Guardrails.@Nullable Limits limits,
                           @JsonProperty("budgets") @Nullable List<Guardrails.@Nullable Budget> budgets,
                           @JsonProperty("on_guardrail_failure") Guardrails.@Nullable FailureMode failure,
                           @JsonProperty("policy") @Nullable String policy) {
            List<Guardrails.Key> keyList = present(keys, "keys");
            ConfigRule.require(!keyList.isEmpty(), "keys", "must list at least one key");
            ConfigRule.require(keyList.stream().noneMatch(k -> k.key().isBlank()), "keys",
                    "must not contain an empty key");
            Map<String, Guardrails.Key> settings = new java.util.LinkedHashMap<>();
            java.util.Set<String> ids = new java.util.HashSet<>();
            for (Guardrails.Key key : keyList) {
                key.id().ifPresent(id -> ConfigRule.require(ids.add(id), "keys", "gives id '" + id + "' twice"));
                if (key.id().isPresent() || !key.limits().isEmpty()) {
                    settings.put(key.key(), key);
                }
            }
            List<Guardrails.Budget> budgetList = present(budgets, "budgets");
            return new Tenant(keyList.stream().map(Guardrails.Key::key).toList(), present(models, "models"),
                    or(brokerVad, false), settings, present(regions, "regions"), or(limits, Guardrails.Limits.NONE),
                    budgetList, or(failure, Guardrails.FailureMode.CLOSED), Optional.ofNullable(policy));
        }

        @Override
        public String toString() {
            return "Tenant[keys=" + keys.size() + " key(s), models=" + models + ", brokerVad=" + brokerVad
                    + ", regions=" + regions + ", limits=" + limits + ", budgets=" + budgets + ", policy=" + policy + "]";
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

        @JsonCreator
        static Limits bind(@JsonProperty("max_frame_bytes") @Nullable Long maxFrameBytes,
                           @JsonProperty("request_header_timeout") @Nullable Duration requestHeaderTimeout,
                           @JsonProperty("request_body_timeout") @Nullable Duration requestBodyTimeout) {
            int frame = (int) ConfigRule.between(or(maxFrameBytes, (long) DEFAULT_MAX_FRAME_BYTES), 1024,
                    64L * 1024 * 1024, "max_frame_bytes");
            return new Limits(frame, readDeadline(requestHeaderTimeout, DEFAULT_REQUEST_HEADER_TIMEOUT,
                    "request_header_timeout"), readDeadline(requestBodyTimeout, DEFAULT_REQUEST_BODY_TIMEOUT,
                    "request_body_timeout"));
        }

        private static Duration readDeadline(@Nullable Duration value, Duration fallback, String key) {
            Duration timeout = or(value, fallback);
            ConfigRule.require(timeout.compareTo(Duration.ofMillis(100)) >= 0
                    && timeout.compareTo(Duration.ofMinutes(10)) <= 0, key, "must be between 100ms and 10m");
            return timeout;
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

        @JsonCreator
        static Outbound bind(@JsonProperty("high_watermark_bytes") @Nullable Long highWatermarkBytes,
                             @JsonProperty("low_watermark_bytes") @Nullable Long lowWatermarkBytes,
                             @JsonProperty("max_bytes") @Nullable Long maxBytes,
                             @JsonProperty("max_frames") @Nullable Long maxFrames,
                             @JsonProperty("max_stall") @Nullable Duration maxStall) {
            Outbound d = defaults();
            long high = or(highWatermarkBytes, d.highWatermarkBytes());
            long low = or(lowWatermarkBytes, d.lowWatermarkBytes());
            long max = or(maxBytes, d.maxBytes());
            ConfigRule.require(low > 0 && low < high, "low_watermark_bytes", "must be > 0 and < high_watermark_bytes");
            ConfigRule.require(max > high, "max_bytes", "must be > high_watermark_bytes");
            int frames = (int) ConfigRule.between(or(maxFrames, (long) d.maxFrames()), 16, 1_000_000, "max_frames");
            return new Outbound(high, low, max, frames, or(maxStall, d.maxStall()));
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

        @JsonCreator
        static Sessions bind(@JsonProperty("resume_ttl") @Nullable Duration resumeTtl,
                             @JsonProperty("resume_secret") @Nullable String resumeSecret,
                             @JsonProperty("replay") @Nullable Replay replay) {
            Sessions d = defaults();
            ConfigRule.require(resumeSecret == null || resumeSecret.length() >= 16, "resume_secret",
                    "must be at least 16 characters");
            Replay r = or(replay, new Replay(d.replayMaxEvents(), d.replayMaxBytes()));
            return new Sessions(or(resumeTtl, d.resumeTtl()), Optional.ofNullable(resumeSecret), r.maxEvents(),
                    r.maxBytes());
        }
    }

    /**
     * The replay log's bounds as written under {@code sessions.replay}.
     *
     * @param maxEvents the most server events kept
     * @param maxBytes the most encoded bytes kept
     */
    record Replay(int maxEvents, long maxBytes) {
        @JsonCreator
        static Replay bind(@JsonProperty("max_events") @Nullable Long maxEvents,
                           @JsonProperty("max_bytes") @Nullable Long maxBytes) {
            Sessions d = Sessions.defaults();
            return new Replay((int) ConfigRule.between(or(maxEvents, (long) d.replayMaxEvents()), 16, 1_000_000,
                    "max_events"), ConfigRule.between(or(maxBytes, d.replayMaxBytes()), 4096, 1L << 30, "max_bytes"));
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

        @JsonCreator
        static Drain bind(@JsonProperty("timeout") @Nullable Duration timeout) {
            return new Drain(or(timeout, defaults().timeout()));
        }
    }

    /**
     * @param shards number of rings (and consumer threads); sessions are spread across them
     * @param size slots per ring, a power of two
     * @param waitStrategy how an idle consumer waits: {@code blocking} (parks; producers wake it) or
     *     {@code sleeping} (spins, yields, then sleeps briefly; producers never make a system call)
     */
    public record Rings(int shards, int size, String waitStrategy) {
        /**
         * One shard per core the JVM may use, 16,384 slots each, parking wait (lock-free, see docs/benchmarks.md).
         * A broker confined to one core gets one shard: a second consumer thread there only adds wake-ups and
         * context switches (half the futex calls per token with one, issue 12).
         */
        public static Rings defaults() {
            return new Rings(Math.max(1, Runtime.getRuntime().availableProcessors()), 16384, "parking");
        }

        @JsonCreator
        static Rings bind(@JsonProperty("shards") @Nullable Long shards, @JsonProperty("size") @Nullable Long size,
                          @JsonProperty("wait_strategy") @Nullable WaitStrategy waitStrategy) {
            Rings d = defaults();
            long slots = or(size, (long) d.size());
            ConfigRule.require(slots >= 64 && slots <= (1 << 22) && Long.bitCount(slots) == 1, "size",
                    "must be a power of two between 64 and 4194304");
            return new Rings((int) ConfigRule.between(or(shards, (long) d.shards()), 1, 64, "shards"), (int) slots,
                    waitStrategy == null ? d.waitStrategy() : waitStrategy.word());
        }
    }

    /** How an idle ring consumer waits. */
    enum WaitStrategy implements ConfigValues.Word {
        BLOCKING, SLEEPING, PARKING
    }
}
