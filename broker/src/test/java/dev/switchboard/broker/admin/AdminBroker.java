package dev.switchboard.broker.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * A broker on loopback ephemeral ports (main and admin) with the embedded simulator, and the clients the admin tests
 * drive it through: {@link java.net.http.HttpClient} for the admin API, a Jetty WebSocket client for live sessions.
 * Every wait is bounded.
 */
final class AdminBroker implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final Broker broker;
    private final WebSocketClient ws;

    private AdminBroker(Broker broker, WebSocketClient ws) {
        this.broker = broker;
        this.ws = ws;
    }

    static AdminBroker start(String yaml) throws Exception {
        return start(new ConfigLoader(name -> null).parse(yaml));
    }

    static AdminBroker start(BrokerConfig config) throws Exception {
        Broker broker = Broker.start(config.withListen(new BrokerConfig.Listen("127.0.0.1", 0)));
        WebSocketClient ws = new WebSocketClient();
        ws.setMaxTextMessageSize(64L << 20);
        ws.start();
        return new AdminBroker(broker, ws);
    }

    URI admin(String path) {
        return URI.create(broker.adminUri().orElseThrow() + path);
    }

    URI main(String path) {
        return URI.create(broker.httpUri() + path);
    }

    /** A request to {@code uri} with {@code method}, bearing {@code token} unless it is null. */
    static HttpResponse<String> send(String method, URI uri, String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path, String token) throws IOException, InterruptedException {
        return send("GET", admin(path), token);
    }

    HttpResponse<String> delete(String path, String token) throws IOException, InterruptedException {
        return send("DELETE", admin(path), token);
    }

    HttpResponse<String> post(String path, String token) throws IOException, InterruptedException {
        return send("POST", admin(path), token);
    }

    static JsonNode json(HttpResponse<String> response) throws IOException {
        return RealtimeClient.JSON.readTree(response.body());
    }

    /** A live session of {@code model} opened with {@code key}; its {@code session.created} is already read. */
    Live open(String key, String model) throws Exception {
        RealtimeClient client = RealtimeClient.connect(ws, URI.create("ws://127.0.0.1:" + broker.port()
                + "/v1/realtime?model=" + model), key);
        JsonNode created = client.next();
        return new Live(client, created.path("session").path("id").asText(), created.path("resume_token").asText());
    }

    /** Resumes session {@code token} after {@code lastSeq}. */
    RealtimeClient resume(String key, String token, long lastSeq) throws Exception {
        return RealtimeClient.connect(ws, URI.create("ws://127.0.0.1:" + broker.port()
                + "/v1/realtime?resume_token=" + token + "&last_seq=" + lastSeq), key);
    }

    /** A connected client, its session id and resume token. */
    record Live(RealtimeClient client, String sessionId, String resumeToken) {
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
