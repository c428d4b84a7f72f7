package dev.switchboard.broker.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.Promise;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The SSRF rule at delivery time: what a receiver's name resolves to is checked, whatever the URL looked like when
 * the configuration was loaded.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class GuardedResolverTest {
    private static List<InetSocketAddress> resolve(boolean allowPrivate, String host) throws Exception {
        Promise.Completable<List<InetSocketAddress>> promise = new Promise.Completable<>();
        new GuardedResolver(Runnable::run, allowPrivate).resolve(host, 443, promise);
        return promise.get(10, TimeUnit.SECONDS);
    }

    @Test
    void a_name_resolving_to_a_loopback_address_is_refused_by_default() {
        Executable call = () -> resolve(false, "localhost");
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, call);
        assertInstanceOf(GuardedResolver.RefusedAddress.class, e.getCause());
        assertTrue(e.getCause().getMessage().startsWith("localhost resolves to a loopback address"),
                e.getCause().getMessage());
    }

    @Test
    void a_private_literal_is_refused_too() {
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> resolve(false, "192.168.0.10"));
        assertInstanceOf(GuardedResolver.RefusedAddress.class, e.getCause());
    }

    @Test
    void allowed_private_targets_resolve() throws Exception {
        List<InetSocketAddress> addresses = resolve(true, "127.0.0.1");
        assertEquals(1, addresses.size());
        assertEquals(443, addresses.get(0).getPort());
    }

    @Test
    void a_public_literal_resolves() throws Exception {
        assertEquals(1, resolve(false, "93.184.216.34").size());
    }
}
