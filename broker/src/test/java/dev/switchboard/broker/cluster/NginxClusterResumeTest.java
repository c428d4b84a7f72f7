package dev.switchboard.broker.cluster;

import static dev.switchboard.broker.RealtimeClient.responseCreate;
import static dev.switchboard.broker.RealtimeClient.userMessage;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.RedisServer;
import dev.switchboard.broker.SeqAssert;
import dev.switchboard.broker.config.ConfigLoader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * A client behind the shipped nginx configuration drops its connection again and again mid-answer and resumes
 * through nginx, which sends each resume to whichever broker it picks: with the brokers sharing Redis the session
 * continues on either, and the client ends up with exactly the events of an uninterrupted run.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class NginxClusterResumeTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String ANSWER =
            "{\"sim_tokens\":\"200\",\"sim_ttft_ms\":\"0\",\"sim_tokens_per_second\":\"200\"}";
    private static final String QUESTION = "Tell me a long story about two brokers.";
    private static final int MAX_RESUMES = 10;

    private RedisServer redis;
    private Broker a;
    private Broker b;
    private NginxServer nginx;
    private WebSocketClient ws;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        a = Broker.start(new ConfigLoader(System::getenv).parse(config("node-a")));
        b = Broker.start(new ConfigLoader(System::getenv).parse(config("node-b")));
        nginx = NginxServer.start(List.of(a.port(), b.port()));
        ws = new WebSocketClient();
        ws.setMaxTextMessageSize(16L << 20);
        ws.start();
    }

    private String config(String node) {
        return """
                listen: {host: 127.0.0.1, port: 0}
                simulator: {enabled: true}
                cluster:
                  store: {kind: redis, uri: "%s"}
                  node_id: %s
                  heartbeat: 200ms
                sessions: {resume_secret: "nginx-cluster-resume-test-secret"}
                tenants:
                  dev: {keys: [dev-key], models: ["*"]}
                """.formatted(redis.uri(), node);
    }

    @AfterEach
    void stop() throws Exception {
        if (ws != null) {
            ws.stop();
        }
        if (nginx != null) {
            nginx.close();
        }
        for (Broker broker : new Broker[] {a, b}) {
            if (broker != null) {
                broker.close();
            }
        }
        if (redis != null) {
            redis.close();
        }
    }

    /** The broker the client's one open connection is on, once the previous connection has gone. */
    private Broker holder() {
        try {
            await().atMost(WAIT).until(() -> a.metrics().activeConnections() + b.metrics().activeConnections() == 1);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("connections on a: " + a.metrics().activeConnections() + ", on b: "
                    + b.metrics().activeConnections(), e);
        }
        return a.metrics().activeConnections() == 1 ? a : b;
    }

    private static String text(List<JsonNode> frames) {
        StringBuilder text = new StringBuilder();
        frames.stream().filter(f -> f.path("type").asText().equals("response.output_text.delta"))
                .forEach(f -> text.append(f.path("delta").asText()));
        return text.toString();
    }

    @Test
    void a_session_resumed_through_nginx_continues_whole_on_either_broker() throws Exception {
        String reference;
        try (RealtimeClient uninterrupted = RealtimeClient.connect(ws, nginx.ws("/v1/realtime?model=sim-chat"),
                "dev-key")) {
            uninterrupted.send(userMessage(QUESTION));
            uninterrupted.until("conversation.item.done");
            uninterrupted.send(responseCreate("go", ANSWER));
            reference = text(uninterrupted.until("response.done"));
        }
        await().atMost(WAIT).until(() -> a.metrics().activeConnections() + b.metrics().activeConnections() == 0);

        List<JsonNode> seen = new ArrayList<>();
        RealtimeClient connection = RealtimeClient.connect(ws, nginx.ws("/v1/realtime?model=sim-chat"), "dev-key");
        JsonNode created = connection.next();
        seen.add(created);
        String token = created.path("resume_token").asText();
        Set<Broker> servedBy = new HashSet<>(Set.of(holder()));
        connection.send(userMessage(QUESTION));
        connection.send(responseCreate("go", ANSWER));
        boolean done = false;
        for (int resumes = 0; resumes < MAX_RESUMES && !(done && servedBy.size() == 2); resumes++) {
            done = done || readDeltas(connection, seen, 10);
            connection.session().disconnect();
            long lastSeq = seen.get(seen.size() - 1).path("seq").asLong();
            connection = RealtimeClient.connect(ws, nginx.ws("/v1/realtime?resume_token=" + token + "&last_seq="
                    + lastSeq), "dev-key");
            JsonNode resumed = connection.next();
            assertEquals("session.resumed", resumed.path("type").asText(), resumed::toString);
            assertEquals(lastSeq + 1, resumed.path("next_seq").asLong());
            token = resumed.path("resume_token").asText();
            servedBy.add(holder());
        }
        if (!done) {
            readDeltas(connection, seen, Integer.MAX_VALUE);
        }
        connection.close();

        assertEquals(2, servedBy.size(), "nginx sent the resumes of one session to both brokers");
        SeqAssert.contiguousFromOne(seen);
        assertEquals(reference, text(seen), "the same answer as an uninterrupted run");
        assertEquals("response.done", seen.get(seen.size() - 1).path("type").asText());
    }

    /**
     * Reads sequenced frames into {@code seen} until {@code deltas} more text deltas arrived or the response is
     * done; returns whether it is done.
     */
    private static boolean readDeltas(RealtimeClient connection, List<JsonNode> seen, int deltas)
            throws InterruptedException {
        int count = 0;
        while (true) {
            JsonNode frame = connection.next();
            if (frame.has("seq")) {
                seen.add(frame);
            }
            String type = frame.path("type").asText();
            if (type.equals("response.done")) {
                return true;
            }
            if (type.equals("response.output_text.delta") && ++count >= deltas) {
                return false;
            }
        }
    }
}
