package dev.switchboard.broker.transport.http;

import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigException;
import dev.switchboard.broker.metrics.BrokerMetrics;
import dev.switchboard.broker.transport.tls.TlsMaterial;
import java.util.Optional;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Builds the connector of a listener ({@code listen}, {@code admin.listen}): a {@link DeadlineConnector} on the
 * listener's address, plain HTTP/1.1, or with {@code tls} TLS 1.2/1.3 offering HTTP/2 and HTTP/1.1 by ALPN (see
 * {@code docs/tls.md}). Either way the request header and body deadlines of {@code limits} hold. Stateless; call it
 * while the broker starts, before the server starts.
 */
public final class ListenerConnectors {
    /** Pending connections the operating system may queue before the broker accepts them. */
    private static final int ACCEPT_QUEUE = 4096;

    private ListenerConnectors() {
    }

    /**
     * The connector for {@code listen}, added to {@code server}.
     *
     * @param prefix the key the listener was read under ({@code listen}, {@code admin.listen}), for messages
     * @throws ConfigException the listener's certificate, key or keystore cannot be used (see
     *     {@link TlsMaterial#server(BrokerConfig.Listen, String)})
     */
    public static ServerConnector build(Server server, BrokerConfig.Listen listen, String prefix,
                                        BrokerConfig.Limits limits, BrokerMetrics metrics) throws ConfigException {
        return build(server, listen, TlsMaterial.server(listen, prefix), limits, metrics);
    }

    /**
     * The connector for {@code listen} with TLS settings already read, added to {@code server}.
     *
     * @param tls the listener's TLS settings ({@link TlsMaterial#server(BrokerConfig.Listen, String)}), used by
     *     this connector only; empty: plain HTTP
     */
    public static ServerConnector build(Server server, BrokerConfig.Listen listen,
                                        Optional<SslContextFactory.Server> tls, BrokerConfig.Limits limits,
                                        BrokerMetrics metrics) {
        ServerConnector connector = new DeadlineConnector(server, limits, metrics, tls);
        connector.setHost(listen.host());
        connector.setPort(listen.port());
        connector.setAcceptQueueSize(ACCEPT_QUEUE);
        server.addConnector(connector);
        return connector;
    }

    /** {@code https} when {@code connector} speaks TLS, else {@code http}. */
    public static String scheme(ServerConnector connector) {
        return connector.getConnectionFactory(SslConnectionFactory.class) != null ? "https" : "http";
    }
}
