package dev.switchboard.broker.guardrail;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.broker.BrokerProcess;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17 with real processes: two brokers in their own JVMs ({@code --config} files differing in
 * {@code cluster.node_id}) share one real {@code redis-server}. A rate limit holds for the pair, and a node killed
 * with SIGKILL gives its concurrency slots back once its heartbeat lapses. The clock is real here, so the rate
 * assertion allows what refilled during the measured run (GCRA: one request a second at 60 a minute).
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RedisGuardrailsProcessTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private RedisServer redis;
    private BrokerProcess a;
    private BrokerProcess b;
    private final WebSocketClient ws = new WebSocketClient();

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        redis = RedisServer.start();
        a = BrokerProcess.start(List.of("-Xmx256m"), List.of("--config", config(dir, "a").toString()));
        b = BrokerProcess.start(List.of("-Xmx256m"), List.of("--config", config(dir, "b").toString()));
        ws.start();
    }

    private Path config(Path dir, String node) throws Exception {
        Path file = dir.resolve(node + ".yaml");
        Files.writeString(file, "simulator: {enabled: true}\n"
                + "cluster: {store: {kind: redis, uri: \"" + redis.uri() + "\"}, node_id: " + node
                + ", heartbeat: 200ms}\n"
                + "sessions: {resume_secret: \"0123456789abcdef0123\"}\n"
                + "tenants:\n"
                + "  paced: {keys: [k-paced], models: [\"*\"], limits: {requests_per_minute: 60}}\n"
                + "  single: {keys: [k-single], models: [\"*\"], limits: {concurrent_sessions: 1}}\n");
        return file;
    }

    @AfterEach
    void stop() throws Exception {
        try {
            ws.stop();
            if (a != null) {
                a.close();
            }
            if (b != null) {
                b.close();
            }
        } finally {
            redis.close();
        }
    }

    @Test
    void a_rate_limit_holds_for_two_broker_processes_together() throws Exception {
        long started = System.nanoTime();
        int admitted = 0;
        for (int i = 0; i < 100; i++) {
            int status = post(i % 2 == 0 ? a : b, "k-paced").statusCode();
            assertTrue(status == 200 || status == 429, "status " + status);
            admitted += status == 200 ? 1 : 0;
        }
        long elapsedSeconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
        // 60 at once, plus at most one refilled per second that passed (rounded up); each node alone would admit 50.
        assertTrue(admitted >= 60 && admitted <= 60 + elapsedSeconds + 1,
                "admitted " + admitted + " of 100 in " + elapsedSeconds + " s");
    }

    @Test
    void a_killed_nodes_session_slot_is_reclaimed_once_its_heartbeat_lapses() throws Exception {
        RealtimeClient held = connect(a, "k-single");
        Exception refused = assertThrows(Exception.class, () -> connect(b, "k-single"));
        assertTrue(String.valueOf(refused.getMessage()).contains("429") || String.valueOf(refused).contains("429"),
                refused::toString);
        a.process().destroyForcibly();  // SIGKILL: no clean leave, no release
        a.process().waitFor();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() ->
                ":0".equals(redis.command("EXISTS sb:node:a")));
        try (RealtimeClient reclaimed = connect(b, "k-single")) {
            assertTrue(reclaimed.closeStatus().isEmpty(), "admitted on b after a died");
        }
        held.close();
    }

    private RealtimeClient connect(BrokerProcess broker, String key) throws Exception {
        RealtimeClient client = RealtimeClient.connect(ws, URI.create("ws://127.0.0.1:" + broker.port()
                + "/v1/realtime?model=sim-chat"), key);
        client.next();
        return client;
    }

    private static HttpResponse<String> post(BrokerProcess broker, String key) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + broker.port()
                        + "/v1/chat/completions")).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(GuardrailBroker.chat("sim-chat", 1, false))).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
