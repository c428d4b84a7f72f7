package dev.switchboard.broker.transport.tls;

import dev.switchboard.bridge.sse.SelectorReadTransport;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.component.LifeCycle;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The Jetty {@link HttpClient}s that SSE providers ({@code openai}, {@code anthropic}) stream through, and the one
 * thread pool every upstream client runs on: one shared client trusting the JVM's default CAs, one client of its
 * own for each provider with {@code tls.ca} (a client's trust is fixed when it starts), and the executor of each
 * Realtime provider's WebSocket client ({@link #executorForClient()}). All SSE clients are on
 * {@link SelectorReadTransport} and the Realtime clients read on their selectors too, so the pool does not carry
 * the streams: it holds each client's selector thread and runs connects, name look-ups and the reads restarted
 * after a pause. It is sized to the cores (8 per core, at least 16) plus one thread per client's selector, instead
 * of a pool per client (issue 12: the Realtime connector alone had a 200-thread pool).
 *
 * <p>Threading: clients are created while the broker starts or reloads, on its thread; once created, each is
 * thread-safe and shared by all of its provider's streams. {@link #close()} stops them all, then the pool: close
 * the Realtime connectors first.
 */
public final class UpstreamClients implements AutoCloseable {
    /** Connections to one provider are not capped here: the broker's own limits bound them. */
    private static final int MAX_CONNECTIONS_PER_DESTINATION = 100_000;
    private static final long CONNECT_TIMEOUT_MS = 5_000;
    private static final int MIN_THREADS = 4;

    private final QueuedThreadPool threads;
    private final HttpClient shared;
    /** Written by start-up and reloads, read by {@link #close()}: a copy-on-write list. */
    private final List<HttpClient> own = new java.util.concurrent.CopyOnWriteArrayList<>();

    private UpstreamClients(QueuedThreadPool threads, HttpClient shared) {
        this.threads = threads;
        this.shared = shared;
    }

    /**
     * Starts the pool and the shared client.
     *
     * @throws Exception when Jetty cannot start them
     */
    public static UpstreamClients start() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        QueuedThreadPool threads = new QueuedThreadPool(Math.max(16, 8 * cores), MIN_THREADS);
        threads.setName("switchboard-upstream");
        threads.setDaemon(true);
        // Started before any client uses it, so that no client adopts it: stopping a client leaves it running.
        threads.start();
        try {
            HttpClient shared = newClient(grown(threads), Optional.empty());
            shared.start();
            return new UpstreamClients(threads, shared);
        } catch (Exception e) {
            LifeCycle.stop(threads);
            throw e;
        }
    }

    /**
     * The shared pool, grown by one thread for the selector of the client about to use it (a Realtime provider's
     * WebSocket client), which must be started after this call and stopped before {@link #close()}.
     */
    public Executor executorForClient() {
        return grown(threads);
    }

    /** A selector holds one pool thread for as long as its client runs: the pool grows by it. */
    private static Executor grown(QueuedThreadPool threads) {
        synchronized (threads) {
            threads.setMaxThreads(threads.getMaxThreads() + 1);
        }
        return threads;
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
        HttpClient client = newClient(grown(threads), trust);
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

    private static HttpClient newClient(Executor threads, Optional<SslContextFactory.Client> trust) {
        HttpClient client = SelectorReadTransport.newClient();
        trust.ifPresent(client::setSslContextFactory);
        client.setMaxConnectionsPerDestination(MAX_CONNECTIONS_PER_DESTINATION);
        client.setConnectTimeout(CONNECT_TIMEOUT_MS);
        client.setExecutor(threads);
        return client;
    }

    /** Stops every client, then the pool, best effort. Idempotent. */
    @Override
    public void close() {
        own.forEach(client -> LifeCycle.stop(client));
        LifeCycle.stop(shared);
        LifeCycle.stop(threads);
    }
}
