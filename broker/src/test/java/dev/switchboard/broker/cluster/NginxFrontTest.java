package dev.switchboard.broker.cluster;

import static dev.switchboard.broker.RealtimeClient.responseCreate;
import static dev.switchboard.broker.RealtimeClient.userMessage;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.SeqAssert;
import dev.switchboard.broker.config.ConfigLoader;
import dev.switchboard.broker.transport.http.ChatEndpoint;
import dev.switchboard.simulator.SimulatorStats;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * The shipped {@code deploy/nginx/switchboard.conf}, run by Debian's nginx in front of two brokers (dev-mode
 * simulators, ephemeral loopback ports): WebSocket sessions and streamed chat completions pass through whole and
 * unbuffered, sessions spread over both brokers, and a draining broker gets no new sessions while its answer in
 * progress finishes. Cross-node resume through nginx is {@link NginxClusterResumeTest}.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class NginxFrontTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String FAST =
            "{\"sim_tokens\":\"200\",\"sim_ttft_ms\":\"0\",\"sim_tokens_per_second\":\"2000\"}";
    private static final String SLOW = "{\"sim_tokens\":\"60\",\"sim_ttft_ms\":\"0\",\"sim_tokens_per_second\":\"30\"}";
    /** The simulator streams this many content events on the model sim-stall, then stalls with the stream open. */
    private static final int STALL_AFTER = 5;
    private static final String CONFIG = """
            listen: {host: 127.0.0.1, port: 0}
            simulator: {enabled: true}
            providers:
              simulator-stall: {kind: openai, base_url: "simulator:/faults/stall_after=%d/v1"}
            models:
              sim-stall: {route: [simulator-stall/sim-chat]}
            tenants:
              dev: {keys: [dev-key], models: ["*"]}
            """.formatted(STALL_AFTER);

    private Broker first;
    private Broker second;
    private NginxServer nginx;
    private WebSocketClient ws;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(WAIT).build();
    private final List<RealtimeClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        first = Broker.start(new ConfigLoader(System::getenv).parse(CONFIG));
        second = Broker.start(new ConfigLoader(System::getenv).parse(CONFIG));
        nginx = NginxServer.start(List.of(first.port(), second.port()));
        ws = new WebSocketClient();
        ws.setMaxTextMessageSize(16L << 20);
        ws.start();
    }

    @AfterEach
    void stop() throws Exception {
        clients.forEach(RealtimeClient::close);
        if (ws != null) {
            ws.stop();
        }
        if (nginx != null) {
            nginx.close();
        }
        for (Broker broker : new Broker[] {first, second}) {
            if (broker != null) {
                broker.close();
            }
        }
    }

    private RealtimeClient session() throws Exception {
        RealtimeClient client = RealtimeClient.connect(ws, nginx.ws("/v1/realtime?model=sim-chat"), "dev-key");
        clients.add(client);
        JsonNode created = client.next();
        assertEquals("session.created", created.path("type").asText(), created::toString);
        return client;
    }

    private static void ask(RealtimeClient client, String metadata) throws InterruptedException {
        client.send(userMessage("Tell me about load balancers."));
        client.until("conversation.item.done");
        client.send(responseCreate("go", metadata));
    }

    private static long deltas(List<JsonNode> frames) {
        return frames.stream().filter(f -> f.path("type").asText().equals("response.output_text.delta")).count();
    }

    private long sum(ToLongFunction<SimulatorStats> stat) {
        return stat.applyAsLong(first.simulator().orElseThrow().stats())
                + stat.applyAsLong(second.simulator().orElseThrow().stats());
    }

    @Test
    void a_websocket_session_through_nginx_streams_a_whole_answer_with_contiguous_seq() throws Exception {
        RealtimeClient client = session();
        ask(client, FAST);
        List<JsonNode> answer = client.until("response.done");

        assertEquals("completed", answer.get(answer.size() - 1).path("response").path("status").asText());
        assertEquals(200, deltas(answer));
        SeqAssert.contiguousFromOne(client.received());
    }

    @Test
    void a_streamed_chat_completion_through_nginx_arrives_while_the_answer_is_still_being_generated()
            throws Exception {
        String body = "{\"model\":\"sim-stall\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"metadata\":{\"sim_tokens\":\"50\",\"sim_ttft_ms\":\"0\"}}";
        HttpRequest request = HttpRequest.newBuilder(nginx.http("/v1/chat/completions"))
                .header("Authorization", "Bearer dev-key").header("Content-Type", "application/json")
                // As the OpenAI SDKs and browsers send it: a compressed event stream would be held back.
                .header("Accept-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream stream = response.body()) {
            assertEquals(200, response.statusCode());
            assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
            assertTrue(response.headers().firstValue("Content-Encoding").isEmpty(), "the stream is not compressed");
            assertEquals("no", response.headers().firstValue("X-Accel-Buffering").orElse(""),
                    "nginx tells a proxy in front of it not to buffer either");
            BlockingQueue<String> lines = lines(stream);
            int content = 0;
            while (content < STALL_AFTER) {
                String line = lines.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                assertNotNull(line, () -> "no SSE line through nginx within " + WAIT + ": " + nginx.errorLog());
                if (line.startsWith("data: {") && line.contains("\"content\":\"")) {
                    content++;
                }
            }
            // The provider's stream has not ended (it is stalled after STALL_AFTER events), so nothing held these
            // chunks back until the end of the answer.
            assertEquals(1, sum(SimulatorStats::streamsActive), "the upstream answer is still open");
            assertEquals(0, sum(SimulatorStats::streamsCompleted), "the upstream answer has not finished");
        }
    }

    /** Lines of an SSE body as they arrive, read by a daemon thread until the body ends or is closed. */
    private static BlockingQueue<String> lines(InputStream body) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // Closed by the test.
            }
        }, "nginx-sse-reader");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    @Test
    void sessions_through_nginx_are_spread_over_both_brokers() throws Exception {
        for (int i = 0; i < 4; i++) {
            session();
        }
        await().atMost(WAIT).until(() -> first.metrics().activeSessions() + second.metrics().activeSessions() == 4);
        assertTrue(first.metrics().activeSessions() > 0, "the first broker got sessions");
        assertTrue(second.metrics().activeSessions() > 0, "the second broker got sessions");
    }

    @Test
    void a_draining_broker_finishes_its_answer_and_nginx_sends_new_sessions_to_the_other() throws Exception {
        RealtimeClient one = session();
        await().atMost(WAIT).until(() -> first.metrics().activeSessions() + second.metrics().activeSessions() == 1);
        Broker draining = first.metrics().activeSessions() == 1 ? first : second;
        Broker serving = draining == first ? second : first;
        RealtimeClient other = session();
        await().atMost(WAIT).until(() -> serving.metrics().activeSessions() == 1);
        ask(one, SLOW);
        ask(other, SLOW);
        one.until("response.output_text.delta");

        CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> {
            try {
                return draining.drain(WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
        await().atMost(WAIT).until(() -> status(URI.create("http://127.0.0.1:" + draining.port() + "/healthz")) == 503);
        for (int i = 0; i < 4; i++) {
            session();
            assertEquals(200, status(nginx.http("/healthz")), "nginx answers /healthz from the serving broker");
        }

        assertEquals(1, draining.metrics().activeSessions(), "no new session on the draining broker");
        await().atMost(WAIT).until(() -> serving.metrics().activeSessions() == 5);
        List<JsonNode> rest = one.until("switchboard.reconnect");
        JsonNode done = rest.stream().filter(f -> f.path("type").asText().equals("response.done")).findFirst()
                .orElseThrow(() -> new AssertionError("the answer in progress did not finish before the reconnect"));
        assertEquals("completed", done.path("response").path("status").asText());
        assertEquals(60, deltas(one.received()));
        assertEquals(1012, one.awaitClose());
        assertTrue(drained.get(WAIT.toSeconds(), TimeUnit.SECONDS), "the drain ended with every connection closed");
        List<JsonNode> untouched = other.until("response.done");
        assertEquals("completed", untouched.get(untouched.size() - 1).path("response").path("status").asText(),
                "the session on the other broker answered as usual");
    }

    @Test
    void nginx_refuses_a_body_over_the_brokers_bound_in_its_error_shape_and_keeps_metrics_private() throws Exception {
        byte[] body = new byte[ChatEndpoint.MAX_BODY_BYTES + 1];
        HttpResponse<String> tooLarge = http.send(HttpRequest.newBuilder(nginx.http("/v1/chat/completions"))
                .header("Authorization", "Bearer dev-key").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(413, tooLarge.statusCode());
        JsonNode error = RealtimeClient.JSON.readTree(tooLarge.body()).path("error");
        assertEquals("request_too_large", error.path("code").asText(), tooLarge::body);
        assertEquals("the request body exceeds " + ChatEndpoint.MAX_BODY_BYTES + " bytes",
                error.path("message").asText());

        assertEquals(404, status(nginx.http("/metrics")));
        assertEquals(200, status(URI.create("http://127.0.0.1:" + first.port() + "/metrics")),
                "each broker still serves its own");
    }

    private int status(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }
}
