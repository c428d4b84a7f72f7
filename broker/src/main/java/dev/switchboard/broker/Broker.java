package dev.switchboard.broker;

import dev.switchboard.bridge.anthropic.AnthropicConfig;
import dev.switchboard.bridge.anthropic.AnthropicConnector;
import dev.switchboard.bridge.openai.OpenAiConfig;
import dev.switchboard.bridge.openai.OpenAiConnector;
import dev.switchboard.bridge.realtime.RealtimeConfig;
import dev.switchboard.bridge.realtime.RealtimeConnector;
import dev.switchboard.bridge.realtime.RelayConnector;
import dev.switchboard.bridge.upstream.StreamTimeouts;
import dev.switchboard.bridge.upstream.UpstreamConnector;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.metrics.BrokerMetrics;
import dev.switchboard.broker.route.CircuitBreaker;
import dev.switchboard.broker.route.ModelCatalog;
import dev.switchboard.broker.route.Provider;
import dev.switchboard.broker.route.RealtimeOnly;
import dev.switchboard.broker.route.RetryPolicy;
import dev.switchboard.broker.resume.ResumeTokens;
import dev.switchboard.broker.resume.SessionStore;
import dev.switchboard.broker.session.BrokerSession;
import dev.switchboard.broker.session.RealtimeSession;
import dev.switchboard.broker.session.SessionContext;
import dev.switchboard.broker.stream.RingSubscriber;
import dev.switchboard.broker.stream.RingShards;
import dev.switchboard.broker.tenant.TenantRegistry;
import dev.switchboard.broker.transport.http.DeadlineConnector;
import dev.switchboard.broker.transport.http.JsonErrorHandler;
import dev.switchboard.broker.transport.ws.BrokerHandler;
import dev.switchboard.protocol.codec.EventCodec;
import dev.switchboard.simulator.ProviderSimulator;
import dev.switchboard.simulator.SimulatorConfig;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import com.github.benmanes.caffeine.cache.Ticker;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * A running broker. {@link #start(BrokerConfig)} returns once it serves; {@link #close()} stops everything it
 * started, in reverse order. Thread-safe.
 */
public final class Broker implements AutoCloseable {
    private static final Duration WS_IDLE_TIMEOUT = Duration.ofMinutes(10);

    private final Server server;
    private final ServerConnector connector;
    private final HttpClient httpClient;
    private final RingShards rings;
    private final ScheduledExecutorService scheduler;
    private final Optional<ProviderSimulator> simulator;
    private final BrokerMetrics metrics;
    private final BrokerHandler handler;
    private final SessionStore<BrokerSession> store;
    private final Map<String, Provider> providers;

    private Broker(Server server, ServerConnector connector, HttpClient httpClient, RingShards rings,
                   ScheduledExecutorService scheduler, Optional<ProviderSimulator> simulator, BrokerMetrics metrics,
                   BrokerHandler handler, SessionStore<BrokerSession> store, Map<String, Provider> providers) {
        this.providers = providers;
        this.store = store;
        this.server = server;
        this.connector = connector;
        this.httpClient = httpClient;
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
        Optional<ProviderSimulator> simulator = config.simulator().enabled()
                ? Optional.of(ProviderSimulator.start(SimulatorConfig.loopbackEphemeral()))
                : Optional.empty();
        HttpClient httpClient = new HttpClient();
        httpClient.setMaxConnectionsPerDestination(100_000);
        httpClient.setConnectTimeout(5_000);
        QueuedThreadPool clientThreads = new QueuedThreadPool(64, 4);
        clientThreads.setName("switchboard-upstream");
        clientThreads.setDaemon(true);
        httpClient.setExecutor(clientThreads);
        httpClient.start();

        BrokerMetrics metrics = new BrokerMetrics();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "switchboard-retry");
            thread.setDaemon(true);
            return thread;
        });
        Map<String, Provider> providers = providers(config, simulator, httpClient, metrics);
        RingShards rings = new RingShards(config.rings().shards(), config.rings().size(), config.rings().waitStrategy(),
                metrics);
        BrokerConfig.Sessions sessions = config.sessions();
        SessionStore<BrokerSession> store = new SessionStore<>(ResumeTokens.create(sessions.resumeSecret()),
                sessions.resumeTtl(), sessions.replayMaxEvents(), sessions.replayMaxBytes(), ticker,
                scheduler, metrics.registry());
        SessionContext context = new SessionContext(EventCodec.create(), metrics, scheduler, store);

        QueuedThreadPool serverThreads = new QueuedThreadPool(200, 8);
        serverThreads.setName("switchboard-http");
        Server server = new Server(serverThreads);
        server.setErrorHandler(new JsonErrorHandler(metrics));
        ServerConnector connector = new DeadlineConnector(server, config.limits(), metrics);
        connector.setHost(config.listen().host());
        connector.setPort(config.listen().port());
        connector.setAcceptQueueSize(4096);
        server.addConnector(connector);
        WebSocketUpgradeHandler upgrade = WebSocketUpgradeHandler.from(server, container -> {
            container.setIdleTimeout(WS_IDLE_TIMEOUT);
            // Jetty's own ceiling; frames between limits.max_frame_bytes and this get an error event instead
            // of a 1009 close, so the session survives them.
            container.setMaxTextMessageSize(Math.max(16L << 20, 4L * config.limits().maxFrameBytes()));
        });
        BrokerHandler handler = new BrokerHandler(upgrade.getServerWebSocketContainer(),
                TenantRegistry.from(config.tenants()), ModelCatalog.from(config.models(), providers), rings,
                context, config);
        upgrade.setHandler(handler);
        server.setHandler(upgrade);
        server.setStopTimeout(5_000);
        server.start();
        return new Broker(server, connector, httpClient, rings, scheduler, simulator, metrics, handler, store, providers);
    }

    private static Map<String, Provider> providers(BrokerConfig config, Optional<ProviderSimulator> simulator,
                                                   HttpClient httpClient, BrokerMetrics metrics) {
        Map<String, Provider> providers = new LinkedHashMap<>();
        simulator.ifPresent(sim -> providers.put(BrokerConfig.SIMULATOR_PROVIDER, provider(
                BrokerConfig.SIMULATOR_PROVIDER, new OpenAiConnector(new OpenAiConfig(BrokerConfig.SIMULATOR_PROVIDER,
                        sim.baseUri(), Optional.empty(), StreamTimeouts.defaults()), httpClient),
                BrokerConfig.Retry.defaults(), BrokerConfig.Breaker.defaults(), true, metrics, Optional.empty())));
        config.providers().forEach((name, p) -> {
            URI base = p.onSimulator()
                    ? URI.create("http://127.0.0.1:" + simulator.orElseThrow().port() + p.baseUrl().getPath())
                    : p.baseUrl();
            if (p.kind().equals(BrokerConfig.REALTIME_KIND)) {
                RealtimeConnector relay = RealtimeConnector.start(new RealtimeConfig(name, base, p.apiKey(),
                        new RealtimeConfig.Timeouts(p.timeouts().connect(), p.timeouts().firstToken(),
                                RealtimeConfig.Timeouts.defaults().idle()), RealtimeConfig.Limits.defaults()));
                providers.put(name, provider(name, new RealtimeOnly(name), p.retry(), p.breaker(), false, metrics,
                        Optional.of(relay)));
                return;
            }
            UpstreamConnector connector = p.kind().equals("anthropic")
                    ? new AnthropicConnector(new AnthropicConfig(name, base, p.apiKey(), p.timeouts()), httpClient)
                    : new OpenAiConnector(new OpenAiConfig(name, base, p.apiKey(), p.timeouts()), httpClient);
            providers.put(name, provider(name, connector, p.retry(), p.breaker(), p.continuation().equals("prefill"),
                    metrics, Optional.empty()));
        });
        return providers;
    }

    private static Provider provider(String name, UpstreamConnector connector, BrokerConfig.Retry retry,
                                     BrokerConfig.Breaker breaker, boolean prefill, BrokerMetrics metrics,
                                     Optional<RelayConnector> relay) {
        CircuitBreaker circuit = new CircuitBreaker(breaker.failureThreshold(), breaker.openFor(), System::nanoTime);
        metrics.circuitState(name, () -> circuit.state().ordinal());
        return new Provider(name, connector, new RetryPolicy(retry.maxRetries(), retry.backoff(), retry.maxBackoff(),
                retry.maxRetryAfter()), circuit, prefill, relay);
    }

    /** The bound port. */
    public int port() {
        return connector.getLocalPort();
    }

    /** {@code http://host:port}. */
    public URI httpUri() {
        String host = connector.getHost() == null ? "127.0.0.1" : connector.getHost();
        return URI.create("http://" + host + ":" + port());
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
        store.forEach(session -> signalDrain(session, Boolean.FALSE));
        long deadline = System.nanoTime() + timeout.toNanos();
        if (awaitNoConnections(deadline)) {
            return true;
        }
        store.forEach(session -> signalDrain(session, Boolean.TRUE));
        return awaitNoConnections(System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
    }

    private void signalDrain(BrokerSession session, Boolean force) {
        // Bounded: a ring that stays full this long means the shard is wedged; the forced close still follows.
        for (int attempt = 0; attempt < 1000; attempt++) {
            if (session.shard().tryPublishControl(session, RingSubscriber.Control.DRAIN, force)) {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
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
        scheduler.shutdownNow();
        try {
            httpClient.stop();
        } catch (Exception e) {
            // Best effort, as above.
        }
        providers.values().forEach(p -> p.relay().ifPresent(RelayConnector::close));
        simulator.ifPresent(ProviderSimulator::close);
    }
}
