package dev.switchboard.broker;

import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import java.net.URI;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/** A dev-mode broker on an ephemeral port plus a started WebSocket client; closes both. */
final class TestBroker implements AutoCloseable {
    final Broker broker;
    final WebSocketClient client;

    private TestBroker(Broker broker, WebSocketClient client) {
        this.broker = broker;
        this.client = client;
    }

    static TestBroker dev() throws Exception {
        return start(new ConfigLoader(System::getenv).loadDev());
    }

    static TestBroker start(BrokerConfig config) throws Exception {
        Broker broker = Broker.start(config.withListen(new BrokerConfig.Listen("127.0.0.1", 0)));
        WebSocketClient client = new WebSocketClient();
        client.setMaxTextMessageSize(64L << 20);
        client.start();
        return new TestBroker(broker, client);
    }

    URI ws(String model) {
        return URI.create("ws://127.0.0.1:" + broker.port() + "/v1/realtime?model=" + model);
    }

    URI http(String path) {
        return URI.create("http://127.0.0.1:" + broker.port() + path);
    }

    RealtimeClient connect() throws Exception {
        return RealtimeClient.connect(client, ws("sim-chat"), "dev-key");
    }

    @Override
    public void close() throws Exception {
        client.stop();
        broker.close();
    }
}
