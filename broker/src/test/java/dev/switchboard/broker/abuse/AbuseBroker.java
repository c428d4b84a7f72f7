package dev.switchboard.broker.abuse;

import dev.switchboard.broker.Broker;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * A real broker on an ephemeral port for the abuse suite, with its embedded simulator and two tenants: the
 * attacker ({@link #ABUSE_KEY}) and a bystander ({@link #BYSTANDER_KEY}). One ring shard, so every fuzz session
 * shares the bystander's consumer thread: a frame that wedges or slows a shard shows up as a bystander failure.
 * One instance per test class; closes the broker and its WebSocket client.
 */
final class AbuseBroker implements AutoCloseable {
    /** The fuzzing tenant's key. */
    static final String ABUSE_KEY = "abuse-key";
    /** The bystander tenant's key. */
    static final String BYSTANDER_KEY = "bystander-key";
    /** The SSE-bridged model: the broker decodes every client event itself. */
    static final String BRIDGED = "sim-chat";
    /** The relayed model: the broker checks the envelope and forwards the rest to the simulator's Realtime API. */
    static final String RELAYED = "sim-realtime";
    /** {@code limits.max_frame_bytes}, the shipped default, written out so the oversize generators can use it. */
    static final int MAX_FRAME_BYTES = 1 << 20;

    private static final String YAML = """
            simulator: {enabled: true}
            providers:
              simulator-realtime:
                kind: openai-realtime
                base_url: simulator:/v1
            models:
              sim-chat:
                route: [simulator/sim-chat]
              sim-realtime:
                route: [simulator-realtime/sim-realtime]
            tenants:
              mallory:
                keys: [abuse-key]
                models: ["*"]
              bystander:
                keys: [bystander-key]
                models: [sim-chat]
            limits: {max_frame_bytes: %d}
            rings: {shards: 1}
            """.formatted(MAX_FRAME_BYTES);

    private final Broker broker;
    private final WebSocketClient client;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private AbuseBroker(Broker broker, WebSocketClient client) {
        this.broker = broker;
        this.client = client;
    }

    /** Starts the broker and a WebSocket client that accepts frames up to 64 MiB. */
    static AbuseBroker start() throws Exception {
        BrokerConfig config = new ConfigLoader(name -> null).parse(YAML);
        Broker broker = Broker.start(config.withListen(new BrokerConfig.Listen("127.0.0.1", 0)));
        WebSocketClient client = new WebSocketClient();
        client.setMaxTextMessageSize(64L << 20);
        client.setMaxBinaryMessageSize(64L << 20);
        client.start();
        return new AbuseBroker(broker, client);
    }

    /** A new session on {@code model} for the tenant of {@code key}; waits for the upgrade (bounded). */
    RealtimeClient connect(String model, String key) throws Exception {
        URI uri = URI.create("ws://127.0.0.1:" + broker.port() + "/v1/realtime?model=" + model);
        return RealtimeClient.connect(client, uri, key);
    }

    /**
     * The broker's used heap in bytes, from its own {@code /metrics} ({@code jvm_memory_used_bytes} summed over the
     * heap pools). The broker runs in the test JVM, so this includes the test's own live objects.
     */
    long usedHeapBytes() throws Exception {
        URI metrics = URI.create("http://127.0.0.1:" + broker.port() + "/metrics");
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("/metrics answered " + response.statusCode());
        }
        double sum = 0;
        boolean found = false;
        for (String line : response.body().split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        if (!found) {
            throw new AssertionError("/metrics has no jvm_memory_used_bytes for the heap");
        }
        return (long) sum;
    }

    @Override
    public void close() throws Exception {
        client.stop();
        broker.close();
    }
}
