package dev.switchboard.broker.tls;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.Tls;
import dev.switchboard.broker.metrics.BrokerMetrics;
import dev.switchboard.broker.transport.http.ListenerConnectors;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12: on the broker's listener ({@link ListenerConnectors}, the connector {@code WsConnection}s are served by)
 * a client WebSocket is read on the selector thread that noticed its bytes, plain and under TLS, instead of each
 * network read being handed to a pool thread (Jetty's default end point delivered these 20 messages on several
 * pool threads: the selector role moves to another thread at every hand-off). The endpoint demands the way
 * {@code WsConnection} does: explicitly, once a message is taken. Thread names only, no timing.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ListenerWebSocketReadThreadTest {
    private static final int MESSAGES = 20;
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void every_message_of_a_plain_connection_is_read_on_one_thread_the_selector() throws Exception {
        assertReadOnOneThread(Optional.empty(), Optional.empty());
    }

    @Test
    void every_message_of_a_tls_connection_is_read_on_one_thread_the_selector() throws Exception {
        TestPki pki = TestPki.create(dir);
        assertReadOnOneThread(Optional.of(Tls.pem(dir.resolve("server.pem"), dir.resolve("server-key.pem"))),
                Optional.of(pki.trustingClient()));
    }

    private static void assertReadOnOneThread(Optional<Tls> tls, Optional<SslContextFactory.Client> trust)
            throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(32, 4);
        threads.setName("listener");
        Server server = new Server(threads);
        ServerConnector connector = ListenerConnectors.build(server, new BrokerConfig.Listen("127.0.0.1", 0, tls),
                "listen", BrokerConfig.Limits.defaults(), new BrokerMetrics());
        List<String> received = new CopyOnWriteArrayList<>();
        Set<String> names = ConcurrentHashMap.newKeySet();
        server.setHandler(WebSocketUpgradeHandler.from(server, container -> container.addMapping("/ws",
                (request, response, callback) -> new Demanding(received, names))));
        server.start();
        HttpClient http = new HttpClient();
        trust.ifPresent(http::setSslContextFactory);
        WebSocketClient client = new WebSocketClient(http);
        client.start();
        try {
            URI uri = URI.create((tls.isPresent() ? "wss" : "ws") + "://127.0.0.1:" + connector.getLocalPort()
                    + "/ws");
            Session session = client.connect(new Session.Listener.AutoDemanding() { }, uri)
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            // One at a time, so each message is a network read of its own, arriving while the server waits.
            for (int i = 1; i <= MESSAGES; i++) {
                int sent = i;
                session.sendText("m" + i, Callback.NOOP);
                await().atMost(WAIT).until(() -> received.size() == sent);
            }
            session.close();

            assertEquals(MESSAGES, received.size());
            assertEquals(1, names.size(), () -> "read on " + names);
            String name = List.copyOf(names).get(0);
            assertTrue(name.startsWith("listener-"), () -> "read on " + name + ", not a thread of the server");
        } finally {
            client.stop();
            server.stop();
        }
    }

    /**
     * Records the thread of each message after the first (the first may be read by the thread that demanded it on
     * open) and demands the next once it is taken, like {@code WsConnection}. Public for Jetty's method binding.
     */
    public static final class Demanding implements Session.Listener {
        private final List<String> received;
        private final Set<String> names;
        private volatile Session session;

        Demanding(List<String> received, Set<String> names) {
            this.received = received;
            this.names = names;
        }

        @Override
        public void onWebSocketOpen(Session opened) {
            session = opened;
            opened.demand();
        }

        @Override
        public void onWebSocketText(String message) {
            if (!received.isEmpty()) {
                names.add(Thread.currentThread().getName());
            }
            received.add(message);
            session.demand();
        }
    }
}
