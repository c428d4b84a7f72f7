package dev.switchboard.broker.admin;

import dev.switchboard.broker.config.Admin;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.metrics.BrokerMetrics;
import dev.switchboard.broker.transport.http.DeadlineConnector;
import dev.switchboard.broker.transport.http.JsonErrorHandler;
import java.net.URI;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The admin API's own HTTP server on its own listener ({@code admin.listen}), with its own small thread pool; see
 * the package documentation for why it is a server of its own. {@link #start} returns once it serves;
 * {@link #close()} stops it. Thread-safe.
 */
public final class AdminServer implements AutoCloseable {
    /** At most this many admin requests are handled at once; operators are few. */
    private static final int MAX_THREADS = 8;

    private final Server server;
    private final ServerConnector connector;
    private final Authenticator authenticator;

    private AdminServer(Server server, ServerConnector connector, Authenticator authenticator) {
        this.server = server;
        this.connector = connector;
        this.authenticator = authenticator;
    }

    /**
     * Starts the admin API for {@code admin}, reading and acting through {@code sources}. Reads {@code jwks_file}
     * now, if configured.
     *
     * @throws Exception when the listener cannot bind or the JWK set file cannot be read
     */
    public static AdminServer start(Admin admin, BrokerConfig.Limits limits, AdminSources sources) throws Exception {
        Authenticator authenticator = Authenticator.of(admin);
        QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 1);
        threads.setName("switchboard-admin");
        threads.setDaemon(true);
        Server server = new Server(threads);
        server.setErrorHandler(new JsonErrorHandler(sources.metrics()));
        ServerConnector connector = connector(server, admin.listen(), limits, sources.metrics());
        server.addConnector(connector);
        server.setHandler(new AdminHandler(sources, authenticator));
        server.setStopTimeout(2_000);
        try {
            server.start();
        } catch (Exception e) {
            authenticator.close();
            server.stop();
            throw new IllegalStateException("admin.listen: cannot listen on " + admin.listen().host() + ":"
                    + admin.listen().port() + ": " + e.getMessage(), e);
        }
        return new AdminServer(server, connector, authenticator);
    }

    /** The admin listener's connector: the broker's HTTP/1.1 connector with its request deadlines. */
    private static ServerConnector connector(Server server, BrokerConfig.Listen listen, BrokerConfig.Limits limits,
                                             BrokerMetrics metrics) {
        ServerConnector connector = new DeadlineConnector(server, limits, metrics);
        connector.setHost(listen.host());
        connector.setPort(listen.port());
        return connector;
    }

    /** The bound port. */
    public int port() {
        return connector.getLocalPort();
    }

    /** {@code http://host:port} of the admin API. */
    public URI uri() {
        String host = connector.getHost() == null ? "127.0.0.1" : connector.getHost();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port());
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            // Stopping is best effort; the process is going away.
        }
        authenticator.close();
    }
}
