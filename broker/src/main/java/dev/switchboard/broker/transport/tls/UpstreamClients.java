package dev.switchboard.broker.transport.tls;

import dev.switchboard.bridge.sse.SelectorReadTransport;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.component.LifeCycle;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The Jetty {@link HttpClient}s that SSE providers ({@code openai}, {@code anthropic}) stream through: one shared
 * client trusting the JVM's default CAs, and one client of its own for each provider with {@code tls.ca}, since a
 * client's trust is fixed when it starts. All are on {@link SelectorReadTransport} (reads on the selector thread).
 *
 * <p>Threading: clients are created while the broker starts, on its thread; once created, each is thread-safe and
 * shared by all of its provider's streams. {@link #close()} stops them all.
 */
public final class UpstreamClients implements AutoCloseable {
    /** Connections to one provider are not capped here: the broker's own limits bound them. */
    private static final int MAX_CONNECTIONS_PER_DESTINATION = 100_000;
    private static final long CONNECT_TIMEOUT_MS = 5_000;

    private final HttpClient shared;
    /** Written by start-up and reloads, read by {@link #close()}: a copy-on-write list. */
    private final List<HttpClient> own = new java.util.concurrent.CopyOnWriteArrayList<>();

    private UpstreamClients(HttpClient shared) {
        this.shared = shared;
    }

    /**
     * Starts the shared client.
     *
     * @throws Exception when Jetty cannot start it
     */
    public static UpstreamClients start() throws Exception {
        HttpClient shared = newClient("switchboard-upstream", 64, Optional.empty());
        shared.start();
        return new UpstreamClients(shared);
    }

    /** The client trusting the JVM's default CAs. */
    public HttpClient shared() {
        return shared;
    }

    /**
     * The client for provider {@code name}: the shared one without {@code trust}, else a new client trusting only
     * {@code trust}, started now and stopped by {@link #close()}.
     *
     * @param trust a factory not used by any other client (see {@link TlsMaterial#providerTrust})
     * @throws IllegalStateException when Jetty cannot start the client; the message names the provider
     */
    public HttpClient forProvider(String name, Optional<SslContextFactory.Client> trust) {
        if (trust.isEmpty()) {
            return shared;
        }
        HttpClient client = newClient("switchboard-upstream-" + name, 16, trust);
        try {
            client.start();
        } catch (Exception e) {
            LifeCycle.stop(client);
            throw new IllegalStateException("could not start the HTTP client of provider " + name + ": "
                    + Pem.reason(e), e);
        }
        own.add(client);
        return client;
    }

    private static HttpClient newClient(String threadName, int maxThreads, Optional<SslContextFactory.Client> trust) {
        HttpClient client = SelectorReadTransport.newClient();
        trust.ifPresent(client::setSslContextFactory);
        client.setMaxConnectionsPerDestination(MAX_CONNECTIONS_PER_DESTINATION);
        client.setConnectTimeout(CONNECT_TIMEOUT_MS);
        QueuedThreadPool threads = new QueuedThreadPool(maxThreads, 4);
        threads.setName(threadName);
        threads.setDaemon(true);
        client.setExecutor(threads);
        return client;
    }

    /** Stops every client, best effort. Idempotent. */
    @Override
    public void close() {
        own.forEach(client -> LifeCycle.stop(client));
        LifeCycle.stop(shared);
    }
}
