package dev.switchboard.broker.failover;

import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import dev.switchboard.simulator.SimulatorStats;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * A broker on an ephemeral port (with its embedded simulator) plus a started WebSocket client; closes both.
 * Adapted from the broker package's test helper: it also starts from inline YAML and reads {@code /metrics}.
 */
final class TestBroker implements AutoCloseable {
    /** The tenant key of {@link Routes#YAML}. */
    static final String KEY = "k";

    final Broker broker;
    private final WebSocketClient client;
    private final String key;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestBroker(Broker broker, WebSocketClient client, String key) {
        this.broker = broker;
        this.client = client;
        this.key = key;
    }

    /** The shipped dev-mode configuration (tenant key {@code dev-key}). */
    static TestBroker dev() throws Exception {
        return start(new ConfigLoader(name -> null).loadDev(), "dev-key");
    }

    /** A broker for inline YAML whose tenant key is {@link #KEY}. */
    static TestBroker start(String yaml) throws Exception {
        return start(new ConfigLoader(name -> null).parse(yaml), KEY);
    }

    private static TestBroker start(BrokerConfig config, String key) throws Exception {
        Broker broker = Broker.start(config.withListen(new BrokerConfig.Listen("127.0.0.1", 0)));
        WebSocketClient client = new WebSocketClient();
        client.setMaxTextMessageSize(64L << 20);
        client.start();
        return new TestBroker(broker, client, key);
    }

    RealtimeClient connect(String model) throws Exception {
        URI uri = URI.create("ws://127.0.0.1:" + broker.port() + "/v1/realtime?model=" + model);
        return RealtimeClient.connect(client, uri, key);
    }

    /** The embedded simulator's counters (live view). */
    SimulatorStats simulator() {
        return broker.simulator().orElseThrow().stats();
    }

    /**
     * One sample of the real {@code /metrics} endpoint: the value of {@code name} whose labels include every
     * {@code label="value"} given as alternating names and values; 0 when no such sample exists yet.
     */
    double metric(String name, String... labels) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + broker.port() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("/metrics answered " + response.statusCode());
        }
        for (String line : response.body().split("\n")) {
            if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
                continue;
            }
            boolean matches = true;
            for (int i = 0; i < labels.length; i += 2) {
                matches &= line.contains(labels[i] + "=\"" + labels[i + 1] + "\"");
            }
            if (matches) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    @Override
    public void close() throws Exception {
        client.stop();
        broker.close();
    }
}
