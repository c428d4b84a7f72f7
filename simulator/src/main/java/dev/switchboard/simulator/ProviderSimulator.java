package dev.switchboard.simulator;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embedded, loopback-only HTTP server that speaks the OpenAI chat-completions, OpenAI Realtime (WebSocket) and
 * Anthropic Messages APIs with deterministic text and realistic pacing: the broker's default upstream and a test
 * double.
 *
 * <p>Endpoints: {@code POST /v1/chat/completions} and {@code POST /v1/messages} (streaming and not), the
 * OpenAI-Realtime-style WebSocket {@code GET /v1/realtime}, the same three under {@code /faults/{spec}} with
 * injected faults, {@code GET /v1/models} and {@code GET /sim/stats}. See the module README for the
 * {@code sim_*} metadata knobs, the Realtime events and the fault grammar.
 *
 * <p>Lifecycle: {@link #start} binds and returns once the server accepts connections; {@link #close} aborts
 * in-flight responses, stops Jetty and the pacing scheduler, and is idempotent. All methods are thread-safe.
 */
public final class ProviderSimulator implements AutoCloseable {

    /** How long {@link #close()} lets Jetty shut down gracefully. */
    static final long STOP_TIMEOUT_MS = 2_000;
    /**
     * How long an idle keep-alive connection may linger once stopping has begun (Jetty's default is 1 s). In-flight
     * responses are already aborted by then, so there is nothing to wait for.
     */
    static final long SHUTDOWN_IDLE_TIMEOUT_MS = 50;
    /** Longer than the largest {@code sim_ttft_ms}, so a slow first token is never mistaken for a dead peer. */
    static final long IDLE_TIMEOUT_MS = 120_000;

    /**
     * The largest Realtime text frame Jetty accepts (larger ones close the connection with 1009): room for an
     * {@code input_audio_buffer.append} of {@value ItemParser#MAX_AUDIO_BYTES} bytes of audio in base64.
     */
    static final long MAX_REALTIME_FRAME_BYTES = 24L * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(ProviderSimulator.class);

    private final Server server;
    private final ServerConnector connector;
    private final SimulatorRuntime runtime;
    private final int port;
    private final URI baseUri;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ProviderSimulator(Server server, ServerConnector connector, SimulatorRuntime runtime, String host) {
        this.server = server;
        this.connector = connector;
        this.runtime = runtime;
        this.port = connector.getLocalPort();
        String uriHost = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        this.baseUri = URI.create("http://" + uriHost + ":" + port + "/v1");
    }

    /**
     * Starts a simulator and returns once it is serving.
     *
     * @throws Exception if Jetty cannot bind or start (for example, the port is taken); nothing is left running
     */
    public static ProviderSimulator start(SimulatorConfig config) throws Exception {
        Objects.requireNonNull(config, "config");
        PacingScheduler scheduler = PacingScheduler.forThisMachine();
        SimulatorRuntime runtime =
                new SimulatorRuntime(scheduler, new SimulatorStats(), new InFlight(), InstantSource.system());
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("sim-http");
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(config.host());
        connector.setPort(config.port());
        connector.setIdleTimeout(IDLE_TIMEOUT_MS);
        connector.setShutdownIdleTimeout(SHUTDOWN_IDLE_TIMEOUT_MS);
        server.addConnector(connector);
        WebSocketUpgradeHandler upgrade = WebSocketUpgradeHandler.from(server, container -> {
            container.setIdleTimeout(Duration.ofMillis(IDLE_TIMEOUT_MS));
            container.setMaxTextMessageSize(MAX_REALTIME_FRAME_BYTES);
        });
        upgrade.setHandler(new SimulatorHandler(runtime, config.apiKey(), upgrade.getServerWebSocketContainer()));
        server.setHandler(upgrade);
        server.setStopTimeout(STOP_TIMEOUT_MS);
        try {
            server.start();
        } catch (Exception e) {
            scheduler.close();
            try {
                server.stop();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        ProviderSimulator simulator = new ProviderSimulator(server, connector, runtime, config.host());
        LOG.info("Provider simulator listening on {}", simulator.baseUri());
        return simulator;
    }

    /** The bound TCP port (the ephemeral one when configured with port 0). */
    public int port() {
        return port;
    }

    /**
     * The OpenAI base URI, {@code http://HOST:PORT/v1}, without a trailing slash. Anthropic clients, which add
     * {@code /v1/messages} themselves, use the same URI without {@code /v1}.
     */
    public URI baseUri() {
        return baseUri;
    }

    /** Live counters; the same instance for the simulator's lifetime. */
    public SimulatorStats stats() {
        return runtime.stats();
    }

    /**
     * Aborts in-flight responses (each counts as aborted if it was a stream), stops Jetty and the pacing
     * scheduler. Idempotent; never throws. Failures while stopping are logged.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        runtime.inFlight().abortAll(new IOException("provider simulator stopped"));
        try {
            server.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("Interrupted while stopping the provider simulator");
        } catch (Exception e) {
            LOG.warn("Provider simulator did not stop cleanly", e);
        } finally {
            runtime.scheduler().close();
        }
        LOG.info("Provider simulator on port {} stopped ({})", port, stats());
    }
}
