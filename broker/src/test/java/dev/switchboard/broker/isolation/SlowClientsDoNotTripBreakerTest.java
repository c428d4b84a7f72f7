package dev.switchboard.broker.isolation;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.SeqAssert;
import dev.switchboard.broker.StalledClient;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, defect 1: one tenant's clients that stop reading or vanish mid-answer must not make the shared
 * provider look failed. Before the fix, the broker's own backpressure pause ran into the idle timeout Jetty set on
 * the provider request; that counted as a provider stall, opened the provider's circuit breaker, and every tenant's
 * next request failed with {@code upstream_unavailable (circuit open)}.
 *
 * <p>The provider's timeouts are short here (first token 1 s, idle 500 ms) and its breaker opens on a single
 * failure, so the holding period below is several times what the old code needed to fail.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SlowClientsDoNotTripBreakerTest {
    private static final String YAML = """
            simulator: {enabled: true}
            providers:
              shared:
                kind: openai
                base_url: "simulator:/v1"
                timeouts: {first_token: 1s, idle: 500ms}
                circuit_breaker: {failure_threshold: 1, open_for: 1m}
                retry: {max_retries: 0}
            models:
              chat: {route: [shared/sim-chat]}
            tenants:
              noisy: {keys: [k-noisy], models: ["*"]}
              calm: {keys: [k-calm], models: ["*"]}
            outbound: {high_watermark_bytes: 16384, low_watermark_bytes: 4096, max_bytes: 8388608, max_stall: 1m}
            sessions: {resume_ttl: 1m, replay: {max_events: 2048, max_bytes: 1048576}}
            """;
    /** Long enough that a dropped client's replay log fills long before the answer ends. */
    private static final String ENDLESS = "{\"sim_tokens\":\"100000\",\"sim_ttft_ms\":\"0\","
            + "\"sim_tokens_per_second\":\"5000\"}";
    /** Long enough to fill the loopback socket buffers and pass the high watermark of a client that does not read. */
    private static final String LONG = "{\"sim_tokens\":\"60000\",\"sim_ttft_ms\":\"0\","
            + "\"sim_tokens_per_second\":\"1000000\"}";

    private Broker broker;
    private WebSocketClient client;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        BrokerConfig config = new ConfigLoader(name -> null).parse(YAML);
        broker = Broker.start(config.withListen(new BrokerConfig.Listen("127.0.0.1", 0)));
        client = new WebSocketClient();
        client.setMaxTextMessageSize(64L << 20);
        client.start();
    }

    @AfterEach
    void stop() throws Exception {
        client.stop();
        broker.close();
    }

    @Test
    void stalled_and_vanished_clients_of_one_tenant_leave_the_provider_healthy_for_another() throws Exception {
        List<StalledClient> stalled = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            stalled.add(stalledClient());
        }
        List<RealtimeClient> dropped = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            RealtimeClient noisy = connect("k-noisy");
            noisy.next();
            noisy.send(RealtimeClient.userMessage("Talk forever."));
            noisy.send(RealtimeClient.responseCreate("endless", ENDLESS));
            noisy.until("response.output_text.delta");
            // Gone without a close frame, as when a phone loses its network.
            noisy.session().disconnect();
            dropped.add(noisy);
        }

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() ->
                broker.metrics().registry().get("broker.backpressure.pauses").counter().count() >= 2);
        // The dropped sessions' replay logs fill: their answers end there instead of holding the provider open.
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() ->
                broker.metrics().registry().get("broker.responses.replay_log_stops").counter().count() == 2);
        // The stalled sessions stay paused at their high watermark well past the provider's first-token and idle
        // timeouts: the provider is not blamed for the broker's pause.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> circuitState() == 0 && failedResponses() == 0);

        // Another tenant on the same provider is served, over WebSocket and HTTP.
        try (RealtimeClient calm = connect("k-calm")) {
            calm.next();
            for (int i = 0; i < 3; i++) {
                calm.send(RealtimeClient.userMessage("Hello " + i));
                calm.send(RealtimeClient.responseCreate("calm-" + i, "{\"sim_tokens\":\"20\",\"sim_ttft_ms\":\"0\"}"));
                List<JsonNode> answer = calm.until("response.done");
                assertEquals("completed", last(answer).path("response").path("status").asText(), last(answer)::toString);
            }
        }
        HttpResponse<String> completion = http.send(HttpRequest.newBuilder(uri("http", "/v1/chat/completions"))
                .header("Authorization", "Bearer k-calm").header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"Hi\"}]}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, completion.statusCode(), completion.body());
        assertEquals(0, circuitState(), "the shared provider's circuit stays closed");

        // The stalled clients' answers were held, not failed: each can still be cancelled, and once it reads it
        // gets everything it was sent, in order, up to response.done (cancelled, not failed).
        for (StalledClient slow : stalled) {
            Session session = slow.opened.get(5, TimeUnit.SECONDS);
            session.sendText("{\"type\":\"response.cancel\"}", Callback.NOOP);
            slow.reading = true;
            session.demand();
        }
        for (StalledClient slow : stalled) {
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> !slow.frames.isEmpty()
                        && last(slow.frames).path("type").asText().equals("response.done"));
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError(slow.frames.size() + " frames, close " + slow.closeCode + ", last "
                        + (slow.frames.isEmpty() ? "none" : last(slow.frames)), e);
            }
            assertEquals("cancelled", last(slow.frames).path("response").path("status").asText());
            SeqAssert.contiguousFromOne(slow.frames);
        }
        assertEquals(0, failedResponses());
    }

    @Test
    void a_vanished_client_whose_replay_log_filled_resumes_to_an_incomplete_answer_and_the_provider_stops()
            throws Exception {
        RealtimeClient noisy = connect("k-noisy");
        JsonNode created = noisy.next();
        String token = created.path("session").path("resume_token").asText(created.path("resume_token").asText());
        noisy.send(RealtimeClient.userMessage("Talk forever."));
        noisy.send(RealtimeClient.responseCreate("endless", ENDLESS));
        noisy.until("response.output_text.delta");
        noisy.session().disconnect();
        long lastSeq = last(noisy.received()).path("seq").asLong();

        var sim = broker.simulator().orElseThrow().stats();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() ->
                sim.streamsAborted() == 1 && sim.streamsActive() == 0);

        ClientUpgradeRequest request = new ClientUpgradeRequest();
        request.setHeader("Authorization", "Bearer k-noisy");
        try (RealtimeClient resumed = RealtimeClient.connect(client, uri("ws", "/v1/realtime?resume_token=" + token
                + "&last_seq=" + lastSeq), request)) {
            assertEquals("session.resumed", resumed.next().path("type").asText());
            List<JsonNode> rest = resumed.until("response.done");
            JsonNode done = last(rest).path("response");
            assertEquals("incomplete", done.path("status").asText(), done::toString);
            assertEquals("replay_log_full", done.path("status_details").path("reason").asText(), done::toString);
            assertEquals(lastSeq + 1, rest.get(0).path("seq").asLong(), "the replay continues where the client was");
            assertTrue(done.path("usage").path("output_tokens").asLong() > 0, done::toString);
        }
        assertEquals(0, circuitState());
    }

    private StalledClient stalledClient() throws Exception {
        StalledClient slow = new StalledClient();
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        request.setHeader("Authorization", "Bearer k-noisy");
        client.connect(slow, uri("ws", "/v1/realtime?model=chat"), request).get(10, TimeUnit.SECONDS);
        Session session = slow.opened.get(10, TimeUnit.SECONDS);
        session.sendText(RealtimeClient.userMessage("Flood me."), Callback.NOOP);
        session.sendText(RealtimeClient.responseCreate("flood", LONG), Callback.NOOP);
        return slow;
    }

    private RealtimeClient connect(String key) throws Exception {
        return RealtimeClient.connect(client, uri("ws", "/v1/realtime?model=chat"), key);
    }

    private URI uri(String scheme, String path) {
        return URI.create(scheme + "://127.0.0.1:" + broker.port() + path);
    }

    private double circuitState() {
        return broker.metrics().registry().get("bridge.circuit.state").tag("provider", "shared").gauge().value();
    }

    private double failedResponses() {
        var meters = broker.metrics().registry().find("broker.responses").tag("outcome", "failed").counters();
        return meters.stream().mapToDouble(c -> c.count()).sum();
    }

    private static JsonNode last(List<JsonNode> frames) {
        return frames.get(frames.size() - 1);
    }
}
