package dev.switchboard.broker.transport.http;

import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.metrics.BrokerMetrics;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's HTTP connector: a {@link ServerConnector} whose connections are {@link DeadlineEndPoint}s. Plain, it
 * speaks HTTP/1.1; with TLS ({@link ListenerConnectors}), HTTP/2 or HTTP/1.1 as ALPN negotiates (HTTP/1.1 when the
 * client offers no ALPN), and WebSocket upgrades over HTTP/1.1 only (RFC 8441's WebSocket over HTTP/2 is not
 * offered).
 *
 * <p>Jetty 12 bounds how long a connection may be <em>silent</em> (the idle timeout), not how long a request may
 * take to arrive, and {@code HttpConfiguration.setMinRequestDataRate} is stored but not enforced by jetty-core.
 * So a client trickling one byte every few seconds could hold a connection (and a parser buffer) forever. Here:
 * <ul>
 *   <li>request headers must be complete within {@code limits.request_header_timeout} of the request's first
 *       byte, or the connection is closed;</li>
 *   <li>a request body must arrive within {@code limits.request_body_timeout} (enforced where it is read, by
 *       {@link ChatEndpoint}: 408 and {@code Connection: close});</li>
 *   <li>a connection that does not persist after its answer reads and drops what the client still sends for
 *       at most {@link #CLOSE_LINGER}, then closes.</li>
 * </ul>
 * A WebSocket connection leaves all of this behind at the upgrade, and a streamed answer is never bounded by
 * these deadlines (they bound what the client sends, not what it receives). Request line plus headers are
 * limited to {@link #MAX_REQUEST_HEADER_BYTES} (414 or 431 above it). The {@code Server} header is not sent.
 */
public final class DeadlineConnector extends ServerConnector {
    /** The largest request line plus headers accepted, in bytes; more is refused with 414 (URI) or 431. */
    public static final int MAX_REQUEST_HEADER_BYTES = 8192;
    /**
     * How long a connection that does not persist keeps reading and dropping the client's bytes after the
     * broker's last byte: long enough for a client still sending a small body to read the answer rather than a
     * reset, short enough that a trickling client does not keep the connection.
     */
    public static final Duration CLOSE_LINGER = Duration.ofSeconds(2);
    private static final Logger LOG = LoggerFactory.getLogger(DeadlineConnector.class);

    private final Duration headerTimeout;
    private final BrokerMetrics metrics;
    private final RateLimitedLog timeouts = new RateLimitedLog(LOG::info, RateLimitedLog.INTERVAL, System::nanoTime);

    /**
     * @param limits {@code request_header_timeout} is applied here
     * @param metrics counts connections closed by the header deadline ({@code request_header_timeout})
     */
    public DeadlineConnector(Server server, BrokerConfig.Limits limits, BrokerMetrics metrics) {
        this(server, limits, metrics, Optional.empty());
    }

    /**
     * @param tls when present, the connector speaks TLS only, with this identity, and offers HTTP/2 by ALPN
     */
    DeadlineConnector(Server server, BrokerConfig.Limits limits, BrokerMetrics metrics,
                      Optional<SslContextFactory.Server> tls) {
        super(server, connectionFactories(tls));
        this.headerTimeout = limits.requestHeaderTimeout();
        this.metrics = metrics;
    }

    private static ConnectionFactory[] connectionFactories(Optional<SslContextFactory.Server> tls) {
        HttpConfiguration http = httpConfiguration(tls.isPresent());
        HttpConnectionFactory http11 = new SerialHttpConnectionFactory(http);
        if (tls.isEmpty()) {
            return new ConnectionFactory[] {http11};
        }
        HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(http);
        // WebSockets stay on HTTP/1.1 connections, where the upgrade and its deadlines are known to work.
        h2.setConnectProtocolEnabled(false);
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory(h2.getProtocol(), http11.getProtocol());
        alpn.setDefaultProtocol(http11.getProtocol());
        return new ConnectionFactory[] {new DeadlineSslConnectionFactory(tls.get(), alpn.getProtocol()), alpn, h2,
            http11};
    }

    private static HttpConfiguration httpConfiguration(boolean secure) {
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(MAX_REQUEST_HEADER_BYTES);
        http.setSendServerVersion(false);
        if (secure) {
            // Requests are https; the Host header is not checked against the certificate's names (a client that
            // connects by address, or through a load balancer's name, is still served).
            http.addCustomizer(new SecureRequestCustomizer(false));
        }
        http.addCustomizer((request, responseHeaders) -> {
            if (networkEndPoint(request) instanceof DeadlineEndPoint endPoint) {
                if (request.getConnectionMetaData().getHttpVersion() == HttpVersion.HTTP_2) {
                    endPoint.leave();
                } else {
                    endPoint.onRequest();
                    Request.addCompletionListener(request, failure -> endPoint.onRequestComplete());
                }
            }
            return request;
        });
        return http;
    }

    /** The request's TCP end point: under TLS, the one beneath the decrypted end point. */
    private static EndPoint networkEndPoint(Request request) {
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        // TLS wraps once; the bound only guards against a wrapper that wraps itself.
        for (int depth = 0; depth < 4 && endPoint instanceof EndPoint.Wrapper wrapper; depth++) {
            endPoint = wrapper.unwrap();
        }
        return endPoint;
    }

    @Override
    protected SocketChannelEndPoint newEndPoint(SocketChannel channel, ManagedSelector selector, SelectionKey key) {
        DeadlineEndPoint endPoint = new DeadlineEndPoint(channel, selector, key, getScheduler(), headerTimeout,
                CLOSE_LINGER, this::onHeaderTimeout);
        endPoint.setIdleTimeout(getIdleTimeout());
        return endPoint;
    }

    private void onHeaderTimeout() {
        metrics.clientError("request_header_timeout");
        timeouts.log("closed a connection whose request headers were not complete within " + headerTimeout.toMillis()
                + " ms");
    }
}
