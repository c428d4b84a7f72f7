package dev.switchboard.broker.transport.http;

import javax.net.ssl.SSLEngine;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.NegotiatingServerConnection;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Jetty's TLS connection factory, whose decrypted end points tell the {@link DeadlineEndPoint} beneath them about a
 * WebSocket upgrade. Over TLS, Jetty upgrades the decrypted end point, not the network one, so without this the
 * network end point would hold a WebSocket's frames to the request header deadline and close it. The upgrade from
 * ALPN's negotiating connection to the chosen protocol's is not one: the deadlines go on.
 */
final class DeadlineSslConnectionFactory extends SslConnectionFactory {
    DeadlineSslConnectionFactory(SslContextFactory.Server tls, String nextProtocol) {
        super(tls, nextProtocol);
    }

    @Override
    protected SslConnection newSslConnection(Connector connector, EndPoint endPoint, SSLEngine engine) {
        return new SslConnection(connector.getByteBufferPool(), connector.getExecutor(), getSslContextFactory(),
                endPoint, engine, isDirectBuffersForEncryption(), isDirectBuffersForDecryption()) {
            @Override
            protected SslEndPoint newSslEndPoint() {
                return new SslEndPoint() {
                    @Override
                    public void upgrade(Connection newConnection) {
                        // ALPN's choice of protocol is an upgrade too; it leaves the deadlines in force.
                        if (!(getConnection() instanceof NegotiatingServerConnection)
                                && getSslConnection().getEndPoint() instanceof DeadlineEndPoint network) {
                            network.leave();
                        }
                        super.upgrade(newConnection);
                    }
                };
            }
        };
    }
}
