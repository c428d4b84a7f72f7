/**
 * TLS material: listeners' certificates and keys (PEM or keystore) and providers' trusted CA bundles, read and
 * checked once at start-up into Jetty's {@code SslContextFactory}s ({@code TlsMaterial}), and the upstream HTTP
 * clients that use them ({@code UpstreamClients}). What a listener offers (protocol versions, cipher suites, ALPN)
 * is documented in {@code docs/tls.md}. The listener's connector itself is built by
 * {@code transport.http.ListenerConnectors}.
 *
 * <p>Threading: everything here runs on the thread that starts the broker; the factories and clients it returns are
 * thread-safe once started. Nothing is reloaded: a new certificate takes a restart.
 */
@NullMarked
package dev.switchboard.broker.transport.tls;

import org.jspecify.annotations.NullMarked;
