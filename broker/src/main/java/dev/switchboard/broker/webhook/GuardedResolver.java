package dev.switchboard.broker.webhook;

import dev.switchboard.broker.config.Webhooks;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.SocketAddressResolver;

/**
 * The webhook client's name resolution with the SSRF rule applied to what the name resolves to at delivery time
 * (DNS can point anywhere): a name with any private, loopback, link-local, unique-local or unspecified address is
 * refused unless private targets are allowed. The check runs on the very addresses the client then connects to, so
 * a name cannot change between check and connect. Resolves on the client's executor, never the caller's thread.
 */
final class GuardedResolver implements SocketAddressResolver {
    private final Executor executor;
    private final boolean allowPrivate;

    GuardedResolver(Executor executor, boolean allowPrivate) {
        this.executor = executor;
        this.allowPrivate = allowPrivate;
    }

    /** A delivery refused because the receiver's name resolved to a refused address. */
    static final class RefusedAddress extends Exception {
        private static final long serialVersionUID = 1L;

        RefusedAddress(String message) {
            super(message, null, false, false);
        }
    }

    @Override
    public void resolve(String host, int port, Promise<List<InetSocketAddress>> promise) {
        executor.execute(() -> {
            try {
                List<InetSocketAddress> addresses = new ArrayList<>();
                for (InetAddress address : InetAddress.getAllByName(host)) {
                    Optional<String> refusal = Webhooks.refusal(address);
                    if (refusal.isPresent() && !allowPrivate) {
                        promise.failed(new RefusedAddress(host + " resolves to " + refusal.get() + " address "
                                + address.getHostAddress() + " (set webhooks.allow_private_targets to allow it)"));
                        return;
                    }
                    addresses.add(new InetSocketAddress(address, port));
                }
                promise.succeeded(addresses);
            } catch (UnknownHostException e) {
                promise.failed(e);
            }
        });
    }
}
