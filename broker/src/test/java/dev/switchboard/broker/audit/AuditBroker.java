package dev.switchboard.broker.audit;

import dev.switchboard.broker.Broker;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import dev.switchboard.broker.session.ResponseHooks;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.stream.Stream;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * A broker with an audit log on a loopback ephemeral port, and the clients the audit tests drive it through (HTTP,
 * WebSocket, {@code /metrics}), plus readers of the audit files. Every wait is bounded.
 */
final class AuditBroker implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final Broker broker;
    private final WebSocketClient ws;

    private AuditBroker(Broker broker, WebSocketClient ws) {
        this.broker = broker;
        this.ws = ws;
    }

    /** The configuration for tests: the simulator, {@code tenants} and an audit log in {@code dir}. */
    static String yaml(Path dir, String onFailure, String tenants) {
        return "simulator: {enabled: true}\n"
                + "audit: {dir: '" + dir + "', fsync: batch, on_failure: " + onFailure + "}\n"
                + "tenants:\n" + tenants;
    }

    static AuditBroker start(String yaml, InstantSource clock) throws Exception {
        BrokerConfig config = new ConfigLoader(name -> null).parse(yaml);
        Broker broker = Broker.start(config.withListen(new BrokerConfig.Listen("127.0.0.1", 0)), ResponseHooks.NONE,
                clock);
        WebSocketClient ws = new WebSocketClient();
        ws.start();
        return new AuditBroker(broker, ws);
    }

    /** A chat completion request for {@code sim-chat} with {@code prompt}. */
    static String chat(String prompt) {
        return "{\"model\":\"sim-chat\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt
                + "\"}],\"metadata\":{\"sim_tokens\":\"5\",\"sim_ttft_ms\":\"0\"}}";
    }

    HttpResponse<String> post(String key, String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri("/v1/chat/completions")).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").timeout(TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    RealtimeClient connect(String key) throws Exception {
        RealtimeClient client = RealtimeClient.connect(ws, URI.create("ws://127.0.0.1:" + broker.port()
                + "/v1/realtime?model=sim-chat"), key);
        client.next();
        return client;
    }

    /** A Realtime connection to {@code pathAndQuery} with {@code key}, before any event is read. */
    RealtimeClient connectTo(String pathAndQuery, String key) throws Exception {
        return RealtimeClient.connect(ws, URI.create("ws://127.0.0.1:" + broker.port() + pathAndQuery), key);
    }

    /** The value of the sample {@code name} on {@code /metrics}, if there is one. */
    OptionalDouble metric(String name) throws IOException, InterruptedException {
        String body = HTTP.send(HttpRequest.newBuilder(uri("/metrics")).timeout(TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        for (String line : body.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return OptionalDouble.of(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        return OptionalDouble.empty();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + broker.port() + path);
    }

    /** Every complete line of every day file in {@code dir}, oldest first. */
    static List<String> lines(Path dir) throws IOException {
        List<String> all = new ArrayList<>();
        for (Path file : DayFiles.list(dir)) {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            int end = text.lastIndexOf('\n');
            if (end >= 0) {
                all.addAll(List.of(text.substring(0, end).split("\n")));
            }
        }
        return all;
    }

    /** The parsed records of {@code dir} whose event is {@code event}. */
    static List<com.fasterxml.jackson.databind.JsonNode> records(Path dir, String event) throws IOException {
        List<com.fasterxml.jackson.databind.JsonNode> found = new ArrayList<>();
        for (String line : lines(dir)) {
            com.fasterxml.jackson.databind.JsonNode node = RealtimeClient.JSON.readTree(line);
            if (node.path("event").asText().equals(event)) {
                found.add(node);
            }
        }
        return found;
    }

    /** Deletes {@code dir} and what is in it. */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Override
    public void close() throws Exception {
        try {
            ws.stop();
        } finally {
            broker.close();
        }
    }
}
