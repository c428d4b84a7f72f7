package dev.switchboard.broker;

import dev.switchboard.bridge.anthropic.AnthropicConfig;
import dev.switchboard.bridge.anthropic.AnthropicConnector;
import dev.switchboard.bridge.openai.OpenAiConfig;
import dev.switchboard.bridge.openai.OpenAiConnector;
import dev.switchboard.bridge.realtime.RealtimeConfig;
import dev.switchboard.bridge.realtime.RealtimeConnector;
import dev.switchboard.bridge.upstream.StreamTimeouts;
import dev.switchboard.bridge.upstream.UpstreamConnector;
import dev.switchboard.broker.admission.AdmissionWatch;
import dev.switchboard.broker.audit.AuditLog;
import dev.switchboard.broker.audit.ConfigVersion;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.metrics.BrokerMetrics;
import dev.switchboard.broker.metrics.HeapPressure;
import dev.switchboard.broker.metrics.OperatorLog;
import dev.switchboard.broker.notice.Notice;
import dev.switchboard.broker.notice.Notices;
import dev.switchboard.broker.policy.ContentPolicy;
import dev.switchboard.broker.route.CircuitBreaker;
import dev.switchboard.broker.route.ModelCatalog;
import dev.switchboard.broker.route.Provider;
import dev.switchboard.broker.route.RetryPolicy;
import dev.switchboard.broker.admission.SessionGuard;
import dev.switchboard.broker.guardrail.LocalUsageStore;
import dev.switchboard.broker.guardrail.TenantGuardrails;
import dev.switchboard.broker.guardrail.UsageFile;
import dev.switchboard.broker.guardrail.UsageStore;
import dev.switchboard.broker.resume.ResumeTokens;
import dev.switchboard.broker.resume.SessionStore;
import dev.switchboard.broker.session.BrokerSession;
import dev.switchboard.broker.session.ResponseHooks;
import dev.switchboard.broker.session.SessionContext;
import dev.switchboard.broker.stream.RingRetry;
import dev.switchboard.broker.session.SessionSignal;
import dev.switchboard.broker.stream.RingShards;
import dev.switchboard.broker.tenant.TenantRegistry;
import dev.switchboard.broker.transport.http.ListenerConnectors;
import dev.switchboard.broker.transport.http.JsonErrorHandler;
import dev.switchboard.broker.transport.tls.TlsMaterial;
import dev.switchboard.broker.transport.tls.UpstreamClients;
import dev.switchboard.broker.transport.ws.BrokerHandler;
import dev.switchboard.broker.webhook.WebhookNotices;
import dev.switchboard.protocol.codec.EventCodec;
import dev.switchboard.simulator.ProviderSimulator;
import dev.switchboard.simulator.SimulatorConfig;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import com.github.benmanes.caffeine.cache.Ticker;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * A running broker. {@link #start(BrokerConfig)} returns once it serves; {@link #close()} stops everything it
 * started, in reverse order. Thread-safe.
 */
public final class Broker implements AutoCloseable {
    private static final Duration WS_IDLE_TIMEOUT = Duration.ofMinutes(10);
    /** At most one operator log line per provider and failure class this often; the rest are counted. */
    private static final Duration OPERATOR_LOG_INTERVAL = Duration.ofSeconds(10);
    /** Heap still in use after a collection, as a share of the maximum, that the operator is warned about. */
    private static final double HEAP_WARNING_FRACTION = 0.9;
    /** The largest piece of an inbound WebSocket frame Jetty hands on at once (its default, made explicit). */
    private static final int INBOUND_FRAGMENT_BYTES = 64 * 1024;

    private final Server server;
    private final ServerConnector connector;
    private final UpstreamClients httpClients;
    private final RingShards rings;
    private final ScheduledExecutorService scheduler;
    private final Optional<ProviderSimulator> simulator;
    private final BrokerMetrics metrics;
    private final BrokerHandler handler;
    private final SessionStore<BrokerSession> store;
    private final Map<String, Provider> providers;
    private final HeapPressure heapPressure;
    private final Optional<UsageFile> usageFile;
    private final Optional<WebhookNotices> webhooks;
    private final Optional<AuditLog> audit;

    private Broker(Server server, ServerConnector connector, UpstreamClients httpClients, RingShards rings,
                   ScheduledExecutorService scheduler, Optional<ProviderSimulator> simulator, BrokerMetrics metrics,
                   BrokerHandler handler, SessionStore<BrokerSession> store, Map<String, Provider> providers,
                   HeapPressure heapPressure, Optional<UsageFile> usageFile, Optional<WebhookNotices> webhooks,
                   Optional<AuditLog> audit) {
        this.usageFile = usageFile;
        this.webhooks = webhooks;
        this.audit = audit;
        this.providers = providers;
        this.heapPressure = heapPressure;
        this.store = store;
        this.server = server;
        this.connector = connector;
        this.httpClients = httpClients;
        this.rings = rings;
        this.scheduler = scheduler;
        this.simulator = simulator;
        this.metrics = metrics;
        this.handler = handler;
    }

    /** Starts a broker for a validated configuration. */
    public static Broker start(BrokerConfig config) throws Exception {
        return start(config, Ticker.systemTicker());
    }

    /**
     * Starts a broker whose session expiry runs on {@code ticker} (tests inject a fake one and call
     * {@link SessionStore#cleanUp()} through {@link #sessions()}).
     */
    public static Broker start(BrokerConfig config, Ticker ticker) throws Exception {
        return start(config, ticker, ResponseHooks.NONE, InstantSource.system(), store -> store);
    }

    /**
     * Starts a broker whose sessions report to {@code hooks} (see {@link ResponseHooks} for the threading rules
     * every implementation must follow).
     */
    public static Broker start(BrokerConfig config, ResponseHooks hooks) throws Exception {
        return start(config, Ticker.systemTicker(), hooks, InstantSource.system(), store -> store);
    }

    /** As {@link #start(BrokerConfig, ResponseHooks)}, stamping hook records with {@code clock}. */
    public static Broker start(BrokerConfig config, ResponseHooks hooks, InstantSource clock) throws Exception {
        return start(config, Ticker.systemTicker(), hooks, clock, store -> store);
    }

    /**
     * As {@link #start(BrokerConfig, ResponseHooks, InstantSource)}, with the guardrails' usage store wrapped by
     * {@code storeWrapper} (tests make it fail on demand).
     */
    public static Broker start(BrokerConfig config, ResponseHooks hooks, InstantSource clock,
                               UnaryOperator<UsageStore> storeWrapper) throws Exception {
        return start(config, Ticker.systemTicker(), hooks, clock, storeWrapper);
    }

    private static Broker start(BrokerConfig config, Ticker ticker, ResponseHooks hooks, InstantSource clock,
                                UnaryOperator<UsageStore> storeWrapper) throws Exception {
        // TLS files are read first: a bad certificate, key or CA bundle stops the start before anything runs.
        Optional<SslContextFactory.Server> listenTls = TlsMaterial.server(config.listen(), "listen");
        Map<String, SslContextFactory.Client> upstreamTrust = TlsMaterial.providerTrust(config.providers());
        Optional<ProviderSimulator> simulator = config.simulator().enabled()
                ? Optional.of(ProviderSimulator.start(SimulatorConfig.loopbackEphemeral()))
                : Optional.empty();
        // Upstream reads run on the selector thread (SelectorReadTransport): no pool hand-off per provider chunk.
        UpstreamClients httpClients = UpstreamClients.start();

        BrokerMetrics metrics = new BrokerMetrics();
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "switchboard-retry");
            thread.setDaemon(true);
            return thread;
        });
        // Sessions cancel their duration and idle timers when they end; without this a cancelled timer (hours
        // away) would stay queued, holding its session, until it was due.
        scheduler.setRemoveOnCancelPolicy(true);
        OperatorLog operatorLog = new OperatorLog(OPERATOR_LOG_INTERVAL, System::nanoTime, scheduler);
        HeapPressure heapPressure = new HeapPressure(HEAP_WARNING_FRACTION, operatorLog);
        // Audit and webhooks subscribe to what guardrails, breakers and policies decide (issue 14).
        List<Notices> noticeConsumers = new ArrayList<>();
        // Consumers join before the fan-out is built (it copies the list). The audit log is the one consumer of the
        // webhooks' own notice (WebhookDisabled), so it is opened first and handed to them.
        Optional<AuditLog> audit = config.audit().isEmpty() ? Optional.empty()
                : Optional.of(AuditLog.open(config.audit().get(), clock, metrics.registry(), operatorLog));
        audit.ifPresent(log -> {
            log.onConfigLoaded(ConfigVersion.of(config));
            noticeConsumers.add(log.notices());
        });
        Optional<WebhookNotices> webhooks = WebhookNotices.start(config.webhooks(), metrics.registry(), operatorLog,
                clock, audit.map(AuditLog::notices).orElse(Notices.NONE));
        webhooks.ifPresent(noticeConsumers::add);
        Notices notices = Notices.fanOut(noticeConsumers);
        Map<String, Provider> providers = providers(config, simulator, httpClients, upstreamTrust, metrics,
                new Transitions(operatorLog, notices, clock));
        RingShards rings = new RingShards(config.rings().shards(), config.rings().size(), config.rings().waitStrategy(),
                metrics);
        BrokerConfig.Sessions sessions = config.sessions();
        SessionStore<BrokerSession> store = new SessionStore<>(ResumeTokens.create(sessions.resumeSecret()),
                sessions.resumeTtl(), sessions.replayMaxEvents(), sessions.replayMaxBytes(), ticker,
                scheduler, metrics.registry());
        LocalUsageStore usage = new LocalUsageStore();
        Optional<TenantGuardrails> guardrails = TenantGuardrails.of(config, storeWrapper.apply(usage), clock,
                metrics.registry(), notices);
        Optional<UsageFile> usageFile = Optional.empty();
        if (guardrails.isPresent() && config.usage().dir().isPresent()) {
            usageFile = Optional.of(UsageFile.open(usage, config.usage().dir().get(), guardrails.get()::keeps,
                    operatorLog, scheduler, config.usage().flushInterval()));
        }
        ResponseHooks composed = guardrails.map(g -> ResponseHooks.both(g, hooks)).orElse(hooks);
        Map<String, ContentPolicy> policies = ContentPolicy.compile(config.policies());
        Map<String, String> policyVersions = policyVersions(config, policies);
        java.util.function.Function<String, String> policyVersion = tenant -> policyVersions.getOrDefault(tenant, "");
        // The audit hooks wrap the composed ones, so they record the final verdict.
        ResponseHooks allHooks = audit.map(log -> log.hooks(composed, config.prices(), policyVersion))
                .orElse(composed);
        SessionContext context = new SessionContext(EventCodec.create(), metrics, scheduler, store, operatorLog,
                allHooks, clock, notices);

        QueuedThreadPool serverThreads = new QueuedThreadPool(200, 8);
        serverThreads.setName("switchboard-http");
        Server server = new Server(serverThreads);
        server.setErrorHandler(new JsonErrorHandler(metrics));
        ServerConnector connector = ListenerConnectors.build(server, config.listen(), listenTls, config.limits(),
                metrics);
        WebSocketUpgradeHandler upgrade = WebSocketUpgradeHandler.from(server, container -> {
            container.setIdleTimeout(WS_IDLE_TIMEOUT);
            // The inbound memory bound (issue 10). WsConnection takes partial messages, so Jetty never aggregates a
            // message, and auto-fragmentation cuts any frame into pieces of at most one network read (never more
            // than the max frame size), so no frame is buffered whole either: a client can send messages of any
            // size, and WsConnection refuses the oversized ones while they stream in. The message size limits
            // apply only to whole-message delivery, which nothing uses; they are set to the frame limit so that a
            // whole-message listener added by mistake could still not buffer more than that.
            container.setAutoFragment(true);
            container.setMaxFrameSize(INBOUND_FRAGMENT_BYTES);
            container.setMaxTextMessageSize(config.limits().maxFrameBytes());
            container.setMaxBinaryMessageSize(config.limits().maxFrameBytes());
        });
        BrokerHandler handler = new BrokerHandler(upgrade.getServerWebSocketContainer(),
                TenantRegistry.from(config.tenants(), policies), ModelCatalog.from(config.models(), providers,
                        regions(config)), rings, context, config,
                guardrails.<SessionGuard>map(g -> g).orElse(SessionGuard.NONE),
                audit.map(log -> log.admissionWatch(policyVersion)).orElse(AdmissionWatch.NONE));
        upgrade.setHandler(handler);
        server.setHandler(upgrade);
        server.setStopTimeout(5_000);
        server.start();
        return new Broker(server, connector, httpClients, rings, scheduler, simulator, metrics, handler, store,
                providers, heapPressure, usageFile, webhooks, audit);
    }

    /** Each tenant's content policy version, for tenants that have a policy. */
    private static Map<String, String> policyVersions(BrokerConfig config, Map<String, ContentPolicy> policies) {
        Map<String, String> versions = new java.util.HashMap<>();
        config.tenants().forEach((id, tenant) -> tenant.policy().map(policies::get)
                .ifPresent(policy -> versions.put(id, policy.version())));
        return Map.copyOf(versions);
    }

    /** Each configured provider's region, for tenants' residency rules. */
    private static Map<String, String> regions(BrokerConfig config) {
        Map<String, String> regions = new LinkedHashMap<>();
        config.providers().forEach((name, p) -> p.region().ifPresent(region -> regions.put(name, region)));
        return regions;
    }

    private static Map<String, Provider> providers(BrokerConfig config, Optional<ProviderSimulator> simulator,
                                                   UpstreamClients httpClients,
                                                   Map<String, SslContextFactory.Client> trust, BrokerMetrics metrics,
                                                   Transitions log) {
        HttpClient httpClient = httpClients.shared();
        Map<String, Provider> providers = new LinkedHashMap<>();
        simulator.ifPresent(sim -> providers.put(BrokerConfig.SIMULATOR_PROVIDER, provider(
                BrokerConfig.SIMULATOR_PROVIDER, new OpenAiConnector(new OpenAiConfig(BrokerConfig.SIMULATOR_PROVIDER,
                        sim.baseUri(), Optional.empty(), StreamTimeouts.defaults()), httpClient),
                BrokerConfig.Retry.defaults(), BrokerConfig.Breaker.defaults(), true, metrics, log)));
        config.providers().forEach((name, p) -> {
            URI base = p.onSimulator()
                    ? URI.create("http://127.0.0.1:" + simulator.orElseThrow().port() + p.baseUrl().getPath())
                    : p.baseUrl();
            if (p.kind().equals(BrokerConfig.REALTIME_KIND)) {
                RealtimeConnector relay = RealtimeConnector.start(new RealtimeConfig(name, base, p.apiKey(),
                        new RealtimeConfig.Timeouts(p.timeouts().connect(), p.timeouts().firstToken(),
                                RealtimeConfig.Timeouts.defaults().idle()), RealtimeConfig.Limits.defaults()),
                        Optional.ofNullable(trust.get(name)));
                providers.put(name, provider(name, new Provider.Kind.Relayed(relay), p.retry(), p.breaker(), metrics,
                        log));
                return;
            }
            HttpClient client = httpClients.forProvider(name, Optional.ofNullable(trust.get(name)));
            UpstreamConnector connector = p.kind().equals("anthropic")
                    ? new AnthropicConnector(new AnthropicConfig(name, base, p.apiKey(), p.timeouts()), client)
                    : new OpenAiConnector(new OpenAiConfig(name, base, p.apiKey(), p.timeouts()), client);
            providers.put(name, provider(name, connector, p.retry(), p.breaker(), p.continuation().equals("prefill"),
                    metrics, log));
        });
        return providers;
    }

    private static Provider provider(String name, UpstreamConnector connector, BrokerConfig.Retry retry,
                                     BrokerConfig.Breaker breaker, boolean prefill, BrokerMetrics metrics,
                                     Transitions log) {
        return provider(name, new Provider.Kind.Bridged(connector, prefill), retry, breaker, metrics, log);
    }

    private static Provider provider(String name, Provider.Kind kind, BrokerConfig.Retry retry,
                                     BrokerConfig.Breaker breaker, BrokerMetrics metrics, Transitions log) {
        CircuitBreaker[] self = new CircuitBreaker[1];
        CircuitBreaker circuit = new CircuitBreaker(breaker.failureThreshold(), breaker.probeAfter(), breaker.openFor(),
                System::nanoTime, (from, to, cause) -> {
                    logTransition(log.operator(), name, breaker, self[0], from, to, cause);
                    log.notices().publish(new Notice.CircuitChanged(log.clock().instant(), name, word(from), word(to),
                            cause));
                });
        self[0] = circuit;
        metrics.circuitState(name, () -> circuit.state().ordinal());
        return new Provider(name, kind, new RetryPolicy(retry.maxRetries(), retry.backoff(), retry.maxBackoff(),
                retry.maxRetryAfter()), circuit);
    }

    private static void logTransition(OperatorLog log, String provider, BrokerConfig.Breaker breaker,
                                      CircuitBreaker circuit, CircuitBreaker.State from, CircuitBreaker.State to,
                                      String cause) {
        String key = "breaker:" + provider + ":" + to;
        switch (to) {
            case OPEN -> log.warn(key, "circuit breaker of provider {} opened ({} -> OPEN) for {} ms after {}: "
                    + "{}{}", provider, from, circuit.openTime().toMillis(), from == CircuitBreaker.State.HALF_OPEN
                    ? "a failed probe" : breaker.failureThreshold() + " consecutive failures", cause);
            case HALF_OPEN -> log.info(key, "circuit breaker of provider {} half-open: probing{}", provider);
            case CLOSED -> log.info(key, "circuit breaker of provider {} closed: the provider answers again{}",
                    provider);
        }
    }

    /** Where a circuit breaker's state changes go: the operator log and the notices (audit, webhooks). */
    private record Transitions(OperatorLog operator, Notices notices, InstantSource clock) {
    }

    private static String word(CircuitBreaker.State state) {
        return state.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The bound port. */
    public int port() {
        return connector.getLocalPort();
    }

    /** {@code http://host:port}, or {@code https://host:port} when the listener has TLS. */
    public URI httpUri() {
        String host = connector.getHost() == null ? "127.0.0.1" : connector.getHost();
        return URI.create(ListenerConnectors.scheme(connector) + "://" + host + ":" + port());
    }

    /** The embedded simulator, when enabled. */
    public Optional<ProviderSimulator> simulator() {
        return simulator;
    }

    /** The broker's meters. */
    public BrokerMetrics metrics() {
        return metrics;
    }

    /** The resumable sessions. */
    public SessionStore<BrokerSession> sessions() {
        return store;
    }

    /** Stops accepting new sessions. */
    public void stopAccepting() {
        handler.stopAccepting();
    }

    /**
     * Graceful drain: stops accepting, asks every session to send its client {@code switchboard.reconnect} and
     * close with 1012 once its response in progress has finished, and after {@code timeout} forces the rest.
     * Blocks until no connection is attached or the timeout (plus a short grace for the forced closes) passed.
     *
     * @return whether every connection closed in time
     */
    public boolean drain(Duration timeout) throws InterruptedException {
        handler.stopAccepting();
        store.forEach(session -> signalDrain(session, false));
        long deadline = System.nanoTime() + timeout.toNanos();
        if (awaitNoConnections(deadline)) {
            return true;
        }
        store.forEach(session -> signalDrain(session, true));
        return awaitNoConnections(System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
    }

    private void signalDrain(BrokerSession session, boolean force) {
        // A ring that stays full for RingRetry's bound means the shard is wedged; the forced close still follows.
        RingRetry.publish(session.shard(), session, new SessionSignal.Drain(force), scheduler, () -> { });
    }

    private boolean awaitNoConnections(long deadlineNanos) throws InterruptedException {
        while (metrics.activeConnections() > 0) {
            if (System.nanoTime() >= deadlineNanos) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            // Stopping is best effort; the process is going away.
        }
        rings.close();
        // After the rings: the last responses' usage is counted before it is written.
        usageFile.ifPresent(UsageFile::close);
        // After the rings too: the last responses' notices are queued before what is queued is written out.
        webhooks.ifPresent(WebhookNotices::close);
        // After the rings too: the last sessions' and responses' records are queued before the writer stops.
        audit.ifPresent(AuditLog::close);
        heapPressure.close();
        scheduler.shutdownNow();
        httpClients.close();
        providers.values().forEach(p -> {
            if (p.kind() instanceof Provider.Kind.Relayed relayed) {
                relayed.connector().close();
            }
        });
        simulator.ifPresent(ProviderSimulator::close);
    }
}
