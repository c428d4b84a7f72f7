package dev.switchboard.broker;

import dev.switchboard.broker.admin.AdminServer;
import dev.switchboard.broker.admin.AdminSources;
import dev.switchboard.broker.admin.AuditRecords;
import dev.switchboard.broker.admin.ConfigReloader;
import dev.switchboard.broker.admin.UsageReports;
import dev.switchboard.broker.admission.AdmissionWatch;
import dev.switchboard.broker.audit.AuditLog;
import dev.switchboard.broker.audit.ConfigVersion;
import dev.switchboard.broker.cluster.ClusterLink;
import dev.switchboard.broker.cluster.RedisSessionMirror;
import dev.switchboard.broker.cluster.ClusterSessions;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.metrics.BrokerMetrics;
import dev.switchboard.broker.metrics.HeapPressure;
import dev.switchboard.broker.metrics.OperatorLog;
import dev.switchboard.broker.notice.Notices;
import dev.switchboard.broker.guardrail.LocalUsageStore;
import dev.switchboard.broker.guardrail.RedisUsageStore;
import dev.switchboard.broker.reload.ConfigSource;
import dev.switchboard.broker.reload.Reload;
import dev.switchboard.broker.route.Providers;
import dev.switchboard.broker.guardrail.TenantGuardrails;
import dev.switchboard.broker.guardrail.UsageFile;
import dev.switchboard.broker.guardrail.UsageStore;
import dev.switchboard.broker.resume.ResumeTokens;
import dev.switchboard.broker.resume.SessionStore;
import dev.switchboard.broker.session.BrokerSession;
import dev.switchboard.broker.session.ResponseHooks;
import dev.switchboard.broker.session.ResponseTrace;
import dev.switchboard.broker.session.SessionContext;
import dev.switchboard.broker.session.SessionMirror;
import dev.switchboard.broker.telemetry.Tracing;
import dev.switchboard.broker.stream.RingRetry;
import dev.switchboard.broker.session.SessionSignal;
import dev.switchboard.broker.stream.RingShards;
import dev.switchboard.broker.transport.http.ListenerConnectors;
import dev.switchboard.broker.transport.http.JsonErrorHandler;
import dev.switchboard.broker.transport.tls.TlsMaterial;
import dev.switchboard.broker.transport.tls.UpstreamClients;
import dev.switchboard.broker.transport.ws.BrokerHandler;
import dev.switchboard.broker.usage.UsageLedger;
import dev.switchboard.broker.usage.UsageReport;
import dev.switchboard.broker.usage.UsageReport;
import dev.switchboard.broker.webhook.WebhookNotices;
import dev.switchboard.protocol.close.CloseReason;
import dev.switchboard.protocol.codec.EventCodec;
import dev.switchboard.simulator.ProviderSimulator;
import dev.switchboard.simulator.SimulatorConfig;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
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
    private final Providers providers;
    private final LiveConfig live;
    private final HeapPressure heapPressure;
    private final Optional<UsageFile> usageFile;
    private final Optional<WebhookNotices> webhooks;
    private final Optional<AuditLog> audit;
    private final UsageLedger ledger;
    private final Optional<AdminServer> admin;
    private final Optional<Tracing> tracing;
    private final Optional<ClusterLink> cluster;
    private final Optional<RedisSessionMirror> mirror;
    private final Optional<ClusterSessions> clusterSessions;

    private Broker(Server server, ServerConnector connector, UpstreamClients httpClients, RingShards rings,
                   ScheduledExecutorService scheduler, Optional<ProviderSimulator> simulator, BrokerMetrics metrics,
                   BrokerHandler handler, SessionStore<BrokerSession> store, Providers providers, LiveConfig live,
                   HeapPressure heapPressure, Optional<UsageFile> usageFile, Optional<WebhookNotices> webhooks,
                   Optional<AuditLog> audit, UsageLedger ledger, Optional<AdminServer> admin,
                   Optional<Tracing> tracing, Optional<ClusterLink> cluster, Optional<RedisSessionMirror> mirror,
                   Optional<ClusterSessions> clusterSessions) {
        this.cluster = cluster;
        this.clusterSessions = clusterSessions;
        this.mirror = mirror;
        this.ledger = ledger;
        this.admin = admin;
        this.tracing = tracing;
        this.usageFile = usageFile;
        this.webhooks = webhooks;
        this.audit = audit;
        this.providers = providers;
        this.live = live;
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
        Optional<SslContextFactory.Server> adminTls = config.admin().isEmpty() ? Optional.empty()
                : TlsMaterial.server(config.admin().get().listen(), "admin.listen");
        Map<String, SslContextFactory.Client> upstreamTrust = TlsMaterial.providerTrust(config.providers());
        // Then: a usage ledger file it cannot read stops the start before anything runs (docs/usage.md).
        UsageLedger ledger = UsageLedger.open(config, clock);
        // Then: with a shared store, Redis must answer before anything runs (docs/scale-out.md).
        Optional<ClusterLink> cluster = ClusterLink.start(config.cluster());
        cluster.ifPresent(ledger::share);
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
                clock, audit.map(AuditLog::notices).orElse(Notices.NONE), cluster);
        webhooks.ifPresent(noticeConsumers::add);
        noticeConsumers.add(ledger.notices());
        Notices notices = Notices.fanOut(noticeConsumers);
        Providers providers = new Providers(config, upstreamTrust, simulator.map(ProviderSimulator::baseUri),
                httpClients, metrics, new Providers.Transitions(operatorLog, notices, clock));
        RingShards rings = new RingShards(config.rings().shards(), config.rings().size(), config.rings().waitStrategy(),
                metrics);
        BrokerConfig.Sessions sessions = config.sessions();
        SessionStore<BrokerSession> store = new SessionStore<>(ResumeTokens.create(sessions.resumeSecret()),
                sessions.resumeTtl(), sessions.replayMaxEvents(), sessions.replayMaxBytes(), ticker,
                scheduler, metrics.registry());
        LocalUsageStore usage = new LocalUsageStore();
        // With a cluster, limits and budgets are counted once for all nodes, on Redis (issue 17).
        Optional<UsageStore> shared = cluster.map(link -> {
            RedisUsageStore redis = RedisUsageStore.start(link);
            link.onClose(redis::close);
            return redis;
        });
        // Always built, even when no tenant has a limit yet: a live reload may add some.
        TenantGuardrails guardrails = TenantGuardrails.reloadable(config, storeWrapper.apply(shared.orElse(usage)),
                clock, metrics.registry(), notices);
        Optional<UsageFile> usageFile = Optional.empty();
        if (shared.isEmpty() && config.usage().dir().isPresent()) {
            usageFile = Optional.of(UsageFile.open(usage, config.usage().dir().get(), guardrails::keeps, operatorLog,
                    scheduler, config.usage().flushInterval()));
        }
        ResponseHooks composed = ResponseHooks.both(guardrails, hooks);
        LiveConfig[] live = new LiveConfig[1];
        // The audit hooks wrap the composed ones, so they record the final verdict.
        // The usage ledger wraps them all, so it counts the final verdict.
        ResponseHooks allHooks = ledger.hooks(audit.map(log -> log.hooks(composed, () -> live[0].prices(),
                tenant -> live[0].policyVersion(tenant))).orElse(composed));
        // Only with an OTLP endpoint: otherwise no SDK, no exporter thread, and sessions trace nothing (issue 15).
        Optional<Tracing> tracing = Tracing.start(config.telemetry());
        // In a cluster, sessions mirror their frames and state into Redis so that another node can resume them.
        Optional<RedisSessionMirror> mirror = cluster.map(link -> new RedisSessionMirror(link, sessions.resumeTtl(),
                sessions.replayMaxEvents(), metrics.registry(), () -> {
                    List<String> ids = new ArrayList<>();
                    store.forEach(session -> ids.add(session.id()));
                    return ids;
                }));
        SessionContext context = new SessionContext(EventCodec.create(), metrics, scheduler, store, operatorLog,
                allHooks, clock, notices,
                tracing.<ResponseTrace.Factory>map(t -> t).orElse(ResponseTrace.Factory.NONE),
                mirror.<SessionMirror>map(m -> m).orElse(SessionMirror.NONE));
        Optional<ClusterSessions> clusterSessions = cluster.map(link -> new ClusterSessions(link, context));
        live[0] = new LiveConfig(config, providers, next -> {
            guardrails.reconfigure(next);
            ledger.reconfigure(next);
        }, audit, store, session -> endSession(session,
                CloseReason.API_KEY_REVOKED, "the API key of this session was revoked; reconnect with a valid key",
                scheduler));

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
        BrokerHandler handler = new BrokerHandler(upgrade.getServerWebSocketContainer(), live[0]::directory, rings,
                context, config, guardrails, ledger.watching(audit.map(log -> log.admissionWatch(
                        live[0]::policyVersion)).orElse(AdmissionWatch.NONE)), clusterSessions);
        upgrade.setHandler(handler);
        server.setHandler(upgrade);
        server.setStopTimeout(5_000);
        server.start();
        LiveConfig current = live[0];
        ConfigReloader reloader = (who, endRevoked) -> current.reload(endRevoked, "admin:" + who.identity());
        Optional<AdminServer> admin = Optional.empty();
        try {
            if (config.admin().isPresent()) {
                admin = Optional.of(AdminServer.start(config.admin().get(), adminTls, config.limits(), new AdminSources(
                        current::config, guardrails::standing, store, scheduler, metrics, reloader,
                        usageReports(ledger), audit, audit.<AuditRecords>map(log -> log::newest),
                        () -> URI.create(ListenerConnectors.scheme(connector)
                        + "://127.0.0.1:" + connector.getLocalPort()))));
            }
        } catch (Exception e) {
            new Broker(server, connector, httpClients, rings, scheduler, simulator, metrics, handler, store, providers,
                    current, heapPressure, usageFile, webhooks, audit, ledger, Optional.empty(), tracing, cluster,
                    mirror, clusterSessions).close();
            throw e;
        }
        return new Broker(server, connector, httpClients, rings, scheduler, simulator, metrics, handler, store,
                providers, live[0], heapPressure, usageFile, webhooks, audit, ledger, admin, tracing, cluster, mirror,
                clusterSessions);
    }

    /**
     * Ends {@code session} for good, on its own shard: its client gets an {@code error} event and the close code of
     * {@code why}, and it can no longer be resumed.
     */
    private static void endSession(BrokerSession session, CloseReason why, String message,
                                   ScheduledExecutorService scheduler) {
        RingRetry.publish(session.shard(), session, new SessionSignal.End(why, message, () -> { }), scheduler,
                () -> { });
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

    /** The admin API's view of the usage ledger's report. */
    private static UsageReports usageReports(UsageLedger ledger) {
        UsageReport report = ledger.report();
        return (tenant, query) -> {
            UsageReport.Result result = report.query(tenant, query.get("from"), query.get("to"),
                    query.get("group_by"));
            if (result instanceof UsageReport.Report ok) {
                return new UsageReports.Report.Ok(ok.json());
            }
            if (result instanceof UsageReport.BadQuery bad) {
                return new UsageReports.Report.BadQuery(bad.message());
            }
            return new UsageReports.Report.NotFound(((UsageReport.UnknownTenant) result).message());
        };
    }

    /** {@code http://host:port} of the admin API, when configured. */
    public Optional<URI> adminUri() {
        return admin.map(AdminServer::uri);
    }

    /** The embedded simulator, when enabled. */
    public Optional<ProviderSimulator> simulator() {
        return simulator;
    }

    /** The broker's meters. */
    public BrokerMetrics metrics() {
        return metrics;
    }

    /** The usage report over the broker's usage ledger (docs/usage.md), for the admin API. */
    public UsageReport usageReport() {
        return ledger.report();
    }

    /** The resumable sessions. */
    public SessionStore<BrokerSession> sessions() {
        return store;
    }

    /**
     * Where {@link #reload} reads the configuration: the file the broker was started from, with the same command
     * line overrides. Without it (dev mode) a reload is rejected.
     */
    public void configSource(ConfigSource source) {
        live.source(source);
    }

    /**
     * Reads the configuration again and, when valid, makes it current for every new admission (keys, tenants,
     * limits, budgets, prices, policies, models, routes); sessions in flight continue. Invalid: rejected with the
     * start-up message, nothing changed. Blocks while it reads the file; one reload at a time. Any thread but a
     * shard's or a selector's.
     *
     * @param endRevokedSessions also end the sessions of keys the new configuration no longer has (close 4043)
     * @param caller who asked: logged and recorded in the audit log
     */
    public Reload reload(boolean endRevokedSessions, String caller) {
        return live.reload(endRevokedSessions, caller);
    }

    /** The version of the configuration in force (the audit log's {@code config_version}). */
    public String configVersion() {
        return live.version();
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
        // Clients this node serves for sessions other nodes own move too (their sessions stay where they are).
        clusterSessions.ifPresent(c -> c.forEachFollower(follower -> signalDrain(follower, false)));
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

    /**
     * Waits until no client is connected and, in a cluster, every session that can move has been handed over (its
     * answer finished here, or forced at the timeout) — so a client that already moved to another node still gets
     * the rest of its answer from this one.
     */
    private boolean awaitNoConnections(long deadlineNanos) throws InterruptedException {
        while (metrics.activeConnections() > 0 || awaitingHandOver()) {
            if (System.nanoTime() >= deadlineNanos) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    private boolean awaitingHandOver() {
        if (clusterSessions.isEmpty()) {
            return false;  // one broker: nothing is handed over, and the store need not be walked every 20 ms
        }
        boolean[] any = new boolean[1];
        store.forEach(session -> any[0] |= session.awaitsHandOver());
        return any[0];
    }

    @Override
    public void close() {
        admin.ifPresent(AdminServer::close);
        try {
            server.stop();
        } catch (Exception e) {
            // Stopping is best effort; the process is going away.
        }
        rings.close();
        // After the rings: the last responses' usage is counted before it is written.
        usageFile.ifPresent(UsageFile::close);
        ledger.close();
        // After the rings too: the last responses' notices are queued before what is queued is written out.
        webhooks.ifPresent(WebhookNotices::close);
        // After the rings too: the last sessions' and responses' records are queued before the writer stops.
        audit.ifPresent(AuditLog::close);
        // After the rings too: the last responses' spans have ended; what is queued is exported now.
        tracing.ifPresent(Tracing::close);
        heapPressure.close();
        scheduler.shutdownNow();
        // Providers first: the Realtime connectors run on the upstream clients' pool, which closes last.
        providers.close();
        httpClients.close();
        simulator.ifPresent(ProviderSimulator::close);
        // Last: the rings have stopped, so nothing more is mirrored; what was queued is written, then leaving deletes
        // the heartbeat, so other nodes take this node's sessions over at once when their clients resume there.
        clusterSessions.ifPresent(ClusterSessions::close);
        mirror.ifPresent(RedisSessionMirror::close);
        cluster.ifPresent(ClusterLink::close);
    }

    /** The link to the shared store, when {@code cluster.store} is Redis. */
    public Optional<ClusterLink> cluster() {
        return cluster;
    }
}
