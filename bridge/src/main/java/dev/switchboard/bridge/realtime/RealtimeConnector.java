package dev.switchboard.bridge.realtime;

import com.fasterxml.jackson.core.JsonFactory;
import dev.switchboard.bridge.upstream.UpstreamListener;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.component.LifeCycle;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens Realtime WebSocket relays to one {@code openai-realtime} provider. Owns one Jetty {@link WebSocketClient}
 * (with its selector, and its thread pool unless it is given a shared executor), started by {@link #start} and
 * stopped by {@link #close()}. Thread-safe; shared by all sessions.
 *
 * <p>Provider frames are read on the client's selector thread ({@link SelectorReadConnector}): each network read,
 * the event's type and the {@code tryDeliver} run where the bytes were noticed, without a hand-off to the pool.
 *
 * <p>Each relay connects to {@code {base_url}/realtime?model=…} with the configured key as a bearer token and
 * without {@code permessage-deflate} (audio is base64 and barely compresses; inflating costs CPU and memory per
 * message). See {@link RelayUpstream} for demand, outcomes and threading.
 */
public final class RealtimeConnector implements RelayConnector {
    private static final Logger LOG = LoggerFactory.getLogger(RealtimeConnector.class);

    private final RealtimeConfig config;
    private final HttpClient http;
    private final WebSocketClient client;
    private final JsonFactory json = new JsonFactory();
    private final LongAdder binaryMessages = new LongAdder();
    private final AtomicBoolean binaryLogged = new AtomicBoolean();
    private final String endpointPrefix;

    private RealtimeConnector(RealtimeConfig config, Optional<SslContextFactory.Client> trust,
                              Optional<Executor> shared) {
        this.config = config;
        this.http = new HttpClient(new HttpClientTransportOverHTTP(new SelectorReadConnector()));
        trust.ifPresent(http::setSslContextFactory);
        http.setExecutor(shared.orElseGet(() -> {
            QueuedThreadPool threads = new QueuedThreadPool();
            threads.setName("realtime-" + config.name());
            return threads;
        }));
        this.client = new WebSocketClient(http);
        client.setConnectTimeout(config.timeouts().connect().toMillis());
        client.setIdleTimeout(config.timeouts().idle());
        client.setMaxTextMessageSize(config.limits().maxMessageBytes());
        client.setMaxBinaryMessageSize(config.limits().maxMessageBytes());
        String base = config.baseUri().toString();
        this.endpointPrefix = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/realtime?model=";
    }

    /**
     * Starts a connector and its WebSocket client.
     *
     * @throws IllegalStateException if the client cannot start (no threads, bad TLS setup); the message names the
     *     provider, never the key
     */
    public static RealtimeConnector start(RealtimeConfig config) {
        return start(config, Optional.empty());
    }

    /**
     * Starts a connector whose {@code wss} connections trust what {@code trust} trusts (a provider's own CA bundle)
     * instead of the JVM's default CAs.
     *
     * @param trust used by this connector only, which starts and stops it; empty: Jetty's default client TLS
     *     (the JVM's trust store, host name verification on)
     * @throws IllegalStateException as {@link #start(RealtimeConfig)}
     */
    public static RealtimeConnector start(RealtimeConfig config, Optional<SslContextFactory.Client> trust) {
        return launch(config, trust, Optional.empty());
    }

    /**
     * As {@link #start(RealtimeConfig, Optional)}, on {@code executor} instead of a thread pool of its own: the
     * broker's one upstream pool, shared with its HTTP clients (issue 12). The client's selector takes one of its
     * threads for as long as the connector runs; reads run on that selector, so the pool otherwise only connects,
     * resolves names and restarts reads after a pause.
     *
     * @param executor already started, and stopped by its owner after {@link #close()}: Jetty leaves a running
     *     executor alone
     * @throws IllegalStateException as {@link #start(RealtimeConfig)}, also when the executor has no thread to
     *     spare for the selector
     */
    public static RealtimeConnector start(RealtimeConfig config, Optional<SslContextFactory.Client> trust,
                                          Executor executor) {
        return launch(config, trust, Optional.of(executor));
    }

    private static RealtimeConnector launch(RealtimeConfig config, Optional<SslContextFactory.Client> trust,
                                            Optional<Executor> executor) {
        RealtimeConnector connector = new RealtimeConnector(config, trust, executor);
        try {
            connector.http.start();
            connector.client.start();
        } catch (Exception e) {
            connector.close();
            throw new IllegalStateException("could not start the WebSocket client of provider " + config.name(), e);
        }
        return connector;
    }

    @Override
    public String provider() {
        return config.name();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Never blocks: the connect, DNS lookup included, runs on Jetty's threads. Client events may be sent with
     * {@link RelayUpstream#trySend} right away; they wait, within the configured bound, until the WebSocket opens.
     *
     * @param upstreamModel the provider's model name, URL-encoded into the query
     */
    @Override
    public RelayUpstream open(String upstreamModel, Map<String, String> headers, UpstreamListener listener) {
        RealtimeRelay relay = new RealtimeRelay(listener, json, config.apiKey(), config.limits(), this::onBinary);
        ClientUpgradeRequest upgrade = new ClientUpgradeRequest();
        upgrade.setTimeout(config.timeouts().handshake().toMillis(), TimeUnit.MILLISECONDS);
        headers.forEach(upgrade::setHeader);
        config.apiKey().ifPresent(key -> upgrade.setHeader(HttpHeader.AUTHORIZATION.asString(), "Bearer " + key));
        try {
            relay.connecting(client.connect(relay.endpoint(), endpoint(upstreamModel), upgrade,
                    relay.upgradeListener()));
        } catch (IOException | RuntimeException e) {
            relay.fail(e);
        }
        return relay;
    }

    /** {@code {base}/realtime?model=…}, the model percent-encoded. */
    URI endpoint(String upstreamModel) {
        String model = URLEncoder.encode(upstreamModel, StandardCharsets.UTF_8).replace("+", "%20");
        return URI.create(endpointPrefix + model);
    }

    /** Binary messages providers sent, which a Realtime relay drops, since start. */
    public long binaryMessagesDropped() {
        return binaryMessages.sum();
    }

    private void onBinary() {
        binaryMessages.increment();
        if (binaryLogged.compareAndSet(false, true)) {
            LOG.warn("provider {} sent a binary WebSocket message; Realtime events are text, so it was dropped "
                    + "(counted, logged once)", config.name());
        }
    }

    /** Stops the WebSocket client; relays still open fail with {@code UPSTREAM_STREAM_BROKEN}. Idempotent. */
    @Override
    public void close() {
        LifeCycle.stop(client);
        LifeCycle.stop(http);
    }
}
