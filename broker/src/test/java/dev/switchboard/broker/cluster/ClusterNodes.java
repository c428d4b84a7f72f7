package dev.switchboard.broker.cluster;

import dev.switchboard.broker.BrokerProcess;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.RedisServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * A Redis and broker processes sharing it as one cluster (issue 17), for the scale-out tests: each node is its own
 * JVM ({@link BrokerProcess}) with the embedded simulator, tenant {@code dev} / {@code dev-key}, model
 * {@code sim-chat}, one shared resume secret and a 200 ms heartbeat (a node is dead 600 ms after its last beat).
 */
final class ClusterNodes implements AutoCloseable {
    static final String SECRET = "cluster-test-resume-secret-0123456789";

    final RedisServer redis;
    final WebSocketClient client;
    private final Path dir;
    private final List<BrokerProcess> nodes = new ArrayList<>();

    private ClusterNodes(RedisServer redis, WebSocketClient client, Path dir) {
        this.redis = redis;
        this.client = client;
        this.dir = dir;
    }

    static ClusterNodes start() throws Exception {
        RedisServer redis = RedisServer.start();
        WebSocketClient client = new WebSocketClient();
        client.setMaxTextMessageSize(64L << 20);
        client.start();
        return new ClusterNodes(redis, client, Files.createTempDirectory("sb-cluster"));
    }

    /** Starts node {@code id}; {@code extraYaml} is appended to its configuration. */
    BrokerProcess node(String id, String extraYaml) throws Exception {
        return node(id, extraYaml, "");
    }

    /** Starts node {@code id}; {@code tenantYaml} is added to tenant {@code dev}'s settings ({@code , key: value}). */
    BrokerProcess node(String id, String extraYaml, String tenantYaml) throws Exception {
        Path config = dir.resolve(id + ".yaml");
        Files.writeString(config, """
                listen: {host: 127.0.0.1, port: 0}
                simulator: {enabled: true}
                providers:
                  simulator-realtime: {kind: openai-realtime, base_url: "simulator:/v1"}
                models:
                  sim-chat: {route: [simulator/sim-chat]}
                  sim-realtime: {route: [simulator-realtime/sim-realtime]}
                tenants:
                  dev: {keys: [dev-key], models: ["*"]%s}
                sessions: {resume_secret: "%s"}
                cluster:
                  store: {kind: redis, uri: "%s"}
                  node_id: %s
                  heartbeat: 200ms
                %s""".formatted(tenantYaml, SECRET, redis.uri(), id, extraYaml));
        BrokerProcess node = BrokerProcess.start(List.of("-Xmx256m", "-XX:+UseSerialGC"),
                List.of("--config", config.toString()));
        nodes.add(node);
        return node;
    }

    BrokerProcess node(String id) throws Exception {
        return node(id, "");
    }

    RealtimeClient connect(BrokerProcess node) throws Exception {
        return connect(node, "sim-chat");
    }

    RealtimeClient connect(BrokerProcess node, String model) throws Exception {
        return RealtimeClient.connect(client, URI.create("ws://127.0.0.1:" + node.port()
                + "/v1/realtime?model=" + model), "dev-key");
    }

    RealtimeClient resume(BrokerProcess node, String token, long lastSeq) throws Exception {
        return RealtimeClient.connect(client, URI.create("ws://127.0.0.1:" + node.port()
                + "/v1/realtime?resume_token=" + token + "&last_seq=" + lastSeq), "dev-key");
    }

    @Override
    public void close() throws Exception {
        for (BrokerProcess node : nodes) {
            node.close();
        }
        client.stop();
        redis.close();
    }
}
