package dev.switchboard.broker.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.broker.Broker;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import io.micrometer.core.instrument.Counter;
import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: the relayed session tagged the responses meter with the provider's own {@code response.status}, so a
 * provider (or anything impersonating one) could create meter series without bound. Only the Realtime statuses
 * become tags now; anything else is {@code unknown}.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RelayStatusTagTest {

    /** A Realtime provider that ends every response with a status of its own invention. */
    public static final class InventiveProvider implements Session.Listener.AutoDemanding {
        private static final AtomicInteger RESPONSES = new AtomicInteger();
        private volatile Session session;

        @Override
        public void onWebSocketOpen(Session opened) {
            session = opened;
            opened.sendText("{\"type\":\"session.created\",\"event_id\":\"e0\",\"session\":{\"type\":\"realtime\"}}",
                    Callback.NOOP);
        }

        @Override
        public void onWebSocketText(String message) {
            if (message.contains("\"response.create\"")) {
                int n = RESPONSES.incrementAndGet();
                session.sendText("{\"type\":\"response.created\",\"event_id\":\"c" + n + "\",\"response\":{\"id\":\"r"
                        + n + "\",\"status\":\"in_progress\"}}", Callback.NOOP);
                session.sendText("{\"type\":\"response.done\",\"event_id\":\"d" + n + "\",\"response\":{\"id\":\"r"
                        + n + "\",\"status\":\"made_up_" + n + "\"}}", Callback.NOOP);
            }
        }
    }

    @Test
    void a_providers_invented_response_status_is_counted_as_unknown() throws Exception {
        Server provider = new Server();
        ServerConnector connector = new ServerConnector(provider);
        connector.setHost("127.0.0.1");
        provider.addConnector(connector);
        provider.setHandler(WebSocketUpgradeHandler.from(provider, container -> container.addMapping(
                "/v1/realtime", (request, response, callback) -> new InventiveProvider())));
        provider.start();
        BrokerConfig config = new ConfigLoader(name -> null).parse("""
                providers:
                  inventive: {kind: openai-realtime, base_url: "ws://127.0.0.1:%d/v1"}
                models:
                  rt: {route: [inventive/rt-model]}
                tenants:
                  t: {keys: [k], models: ["*"]}
                """.formatted(connector.getLocalPort()));
        Broker broker = Broker.start(config.withListen(new BrokerConfig.Listen("127.0.0.1", 0)));
        WebSocketClient client = new WebSocketClient();
        client.start();
        try (RealtimeClient session = RealtimeClient.connect(client,
                URI.create("ws://127.0.0.1:" + broker.port() + "/v1/realtime?model=rt"), "k")) {
            session.next();
            for (int i = 0; i < 5; i++) {
                session.send("{\"type\":\"response.create\"}");
                session.until("response.done");
            }
            Collection<Counter> series = broker.metrics().registry().find("broker.responses").counters();
            assertEquals(1, series.size(), () -> series.stream().map(c -> c.getId().toString()).toList().toString());
            Counter only = series.iterator().next();
            assertEquals("unknown", only.getId().getTag("outcome"));
            assertEquals(5, only.count());
            assertTrue(broker.metrics().scrape().contains("outcome=\"unknown\""));
        } finally {
            client.stop();
            broker.close();
            provider.stop();
        }
    }
}
