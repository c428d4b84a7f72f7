package dev.switchboard.broker.webhook;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import dev.switchboard.broker.session.ResponseHooks;
import io.micrometer.core.instrument.Counter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed webhooks end to end: a real broker (simulator provider) on an ephemeral port, real clients driving its
 * guardrails, and a real receiver (a Jetty server). Signatures are checked by the official Standard Webhooks npm
 * package ({@link Verifier}), never by the broker's own signing code. No assertion depends on how long anything
 * took, except the lower bound a Retry-After sets between two broker-stamped attempts.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class WebhookDeliveryTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String SECRET = secret();
    private static final String OLD_SECRET = secret();

    @TempDir
    Path outbox;
    private final List<AutoCloseable> open = new ArrayList<>();
    /**
     * How far the broker's clock is ahead of real time: it starts 5 s into a minute (so that a test has 55 s within
     * one minute) and moves on by whole minutes when a test says so. Real time still passes, as webhook timestamps
     * need (a receiver refuses those 5 minutes off its own clock).
     */
    private final AtomicReference<Duration> skew = new AtomicReference<>(fiveSecondsIntoAMinute());

    private static Duration fiveSecondsIntoAMinute() {
        Instant real = Instant.now();
        return Duration.between(real, real.truncatedTo(ChronoUnit.MINUTES).plusSeconds(65));
    }

    private static String secret() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T open(T closeable) {
        open.add(0, closeable);
        return closeable;
    }

    private String config(String retry, Receiver... receivers) {
        StringBuilder endpoints = new StringBuilder();
        for (Receiver r : receivers) {
            endpoints.append("    - url: ").append(r.url()).append('\n')
                    .append("      secret: [").append(SECRET).append(", ").append(OLD_SECRET).append("]\n")
                    .append("      events: [budget.threshold, budget.exhausted, limit.exceeded, policy.violation, "
                            + "provider.circuit_opened, provider.circuit_closed]\n")
                    .append("      tenants: [\"*\"]\n");
        }
        return """
                simulator: {enabled: true}
                providers:
                  down:
                    kind: openai
                    base_url: "http://127.0.0.1:1/v1"
                    circuit_breaker: {failure_threshold: 1}
                    retry: {max_retries: 0}
                models:
                  broken: {route: [down/any]}
                policies:
                  strict: {input: [{detect: keywords, name: codename, words: [nightingale], action: block}]}
                tenants:
                  policed: {keys: [sk-policed], models: ["*"], policy: strict}
                  acme: {keys: [sk-acme], models: ["*"], budgets: [{period: day, tokens: 200, alert_at: [0.5]}]}
                  limited: {keys: [sk-limited], models: ["*"], limits: {requests_per_minute: 1}}
                  other: {keys: [sk-other], models: ["*"], limits: {requests_per_minute: 1}}
                webhooks:
                  allow_private_targets: true
                  outbox_dir: %s
                  retry: %s
                  endpoints:
                %s""".formatted(outbox, retry, endpoints);
    }

    /** A broker for {@code yaml} whose notices are stamped by the test's clock (real time, moved on by hand). */
    private Broker broker(String yaml) throws Exception {
        BrokerConfig config = new ConfigLoader(name -> null).parse(yaml);
        InstantSource clock = () -> Instant.now().plus(skew.get());
        return open(Broker.start(config.withListen(new BrokerConfig.Listen("127.0.0.1", 0)), ResponseHooks.NONE,
                clock));
    }

    private static int chat(Broker broker, String key) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(broker.httpUri() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .timeout(WAIT).POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"sim-chat\",\"messages\":[{"
                        + "\"role\":\"user\",\"content\":\"Hi\"}],\"metadata\":{\"sim_tokens\":\"2\","
                        + "\"sim_ttft_ms\":\"0\"}}")).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    /** Requests with {@code key} until one is refused by its limit (at most {@code tries}). */
    private static void refuse(Broker broker, String key, int tries) throws Exception {
        for (int i = 0; i < tries; i++) {
            if (chat(broker, key) == 429) {
                return;
            }
        }
        throw new AssertionError("no request of " + key + " was refused");
    }

    private static double count(Broker broker, String name, String... tags) {
        return broker.metrics().registry().find(name).tags(tags).counters().stream().mapToDouble(Counter::count)
                .sum();
    }

    private static List<String> types(List<String> bodies) {
        return bodies.stream().map(b -> json(b).path("type").asText()).toList();
    }

    private static JsonNode json(String body) {
        try {
            return RealtimeClient.JSON.readTree(body);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    /** Every delivery verifies with each secret of the rotation, by the official library; a tampered one fails. */
    private static void assertSignedPerStandardWebhooks(Receiver receiver) throws Exception {
        List<Receiver.Delivery> got = receiver.deliveries();
        assertTrue(!got.isEmpty(), "nothing was delivered");
        for (String secret : List.of(SECRET, OLD_SECRET)) {
            List<String> verdicts = Verifier.verify(secret, got);
            assertEquals(got.size(), verdicts.size(), verdicts::toString);
            assertTrue(verdicts.stream().allMatch(v -> v.startsWith("ok ")), verdicts::toString);
        }
        Receiver.Delivery first = got.get(0);
        Receiver.Delivery tampered = new Receiver.Delivery(first.id(), first.timestamp(), first.signature(),
                first.body().replace("\"tenant\":\"", "\"tenant\":\"x"), first.status());
        List<String> verdict = Verifier.verify(SECRET, List.of(tampered));
        assertTrue(verdict.size() == 1 && verdict.get(0).startsWith("bad "), verdict::toString);
        assertTrue(Verifier.verify(secret(), List.of(first)).get(0).startsWith("bad "), "another key must not verify");
    }

    @Test
    void a_budget_announces_its_threshold_once_then_its_exhaustion_through_real_streamed_responses() throws Exception {
        Receiver receiver = open(new Receiver((id, attempt) -> Receiver.Answer.of(204)));
        Broker broker = broker(config("{initial: 10ms}", receiver));
        WebSocketClient ws = open(new WebSocketClientCloser()).client;
        try (RealtimeClient client = RealtimeClient.connect(ws, URI.create("ws://127.0.0.1:" + broker.port()
                + "/v1/realtime?model=sim-chat"), "sk-acme")) {
            client.next();
            for (int i = 0; i < 20; i++) {
                client.send(RealtimeClient.userMessage("Hello"));
                client.send(RealtimeClient.responseCreate("r" + i, "{\"sim_tokens\":\"40\",\"sim_ttft_ms\":\"0\"}"));
                List<JsonNode> frames = client.until(f -> f.path("type").asText().equals("response.done")
                        || f.path("type").asText().equals("error"));
                JsonNode last = frames.get(frames.size() - 1);
                if (last.path("type").asText().equals("error") || last.path("response").path("status_details")
                        .path("reason").asText().equals("budget_exhausted")) {
                    break;
                }
            }
        }
        await().atMost(WAIT).until(() -> types(receiver.accepted()).contains("budget.exhausted"));
        assertEquals(List.of("budget.threshold", "budget.exhausted"), types(receiver.accepted()));
        JsonNode threshold = json(receiver.accepted().get(0));
        assertEquals("acme", threshold.path("data").path("tenant").asText());
        assertEquals(0.5, threshold.path("data").path("threshold").asDouble());
        assertEquals(200, threshold.path("data").path("limit").asDouble());
        assertEquals("tokens", threshold.path("data").path("unit").asText());
        Instant.parse(threshold.path("timestamp").asText());  // ISO-8601
        JsonNode exhausted = json(receiver.accepted().get(1)).path("data");
        assertTrue(exhausted.path("spent").asDouble() >= 200, exhausted::toString);
        assertSignedPerStandardWebhooks(receiver);
    }

    @Test
    void a_limit_refusal_is_announced_once_per_tenant_limit_and_minute_however_often_it_refuses() throws Exception {
        Receiver receiver = open(new Receiver((id, attempt) -> Receiver.Answer.of(200)));
        Broker broker = broker(config("{initial: 10ms}", receiver));
        assertEquals(200, chat(broker, "sk-limited"));
        for (int i = 0; i < 4; i++) {
            assertEquals(429, chat(broker, "sk-limited"));
        }
        await().atMost(WAIT).until(() -> receiver.accepted().size() == 1);
        JsonNode data = json(receiver.accepted().get(0)).path("data");
        assertEquals("limit.exceeded", json(receiver.accepted().get(0)).path("type").asText());
        assertEquals("limited", data.path("tenant").asText());
        assertEquals("requests_per_minute", data.path("limit").asText());
        assertEquals(1, data.path("value").asLong());

        skew.updateAndGet(d -> d.plusMinutes(1));
        refuse(broker, "sk-limited", 3);
        refuse(broker, "sk-limited", 3);
        await().atMost(WAIT).until(() -> receiver.accepted().size() == 2);
        assertEquals(List.of("limit.exceeded", "limit.exceeded"), types(receiver.accepted()));
        assertEquals(2, receiver.deliveries().stream().map(Receiver.Delivery::id).distinct().count());
        assertSignedPerStandardWebhooks(receiver);
    }

    @Test
    void a_policy_match_and_a_provider_circuit_opening_are_announced_without_the_matched_text() throws Exception {
        Receiver receiver = open(new Receiver((id, attempt) -> Receiver.Answer.of(200)));
        Broker broker = broker(config("{initial: 10ms}", receiver));
        HttpResponse<String> refused = HTTP.send(HttpRequest.newBuilder(URI.create(broker.httpUri()
                        + "/v1/chat/completions")).header("Authorization", "Bearer sk-policed")
                .header("Content-Type", "application/json").timeout(WAIT).POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"sim-chat\",\"messages\":[{\"role\":\"user\",\"content\":"
                                + "\"About Nightingale?\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, refused.statusCode(), refused.body());
        HttpResponse<String> failed = HTTP.send(HttpRequest.newBuilder(URI.create(broker.httpUri()
                        + "/v1/chat/completions")).header("Authorization", "Bearer sk-policed")
                .header("Content-Type", "application/json").timeout(WAIT).POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"broken\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(failed.statusCode() >= 500, failed::body);

        await().atMost(WAIT).until(() -> receiver.accepted().size() == 2);
        List<String> bodies = receiver.accepted();
        assertEquals(java.util.Set.of("policy.violation", "provider.circuit_opened"),
                java.util.Set.copyOf(types(bodies)));
        JsonNode violation = json(bodies.stream().filter(b -> b.contains("policy.violation")).findFirst()
                .orElseThrow()).path("data");
        assertEquals("policed", violation.path("tenant").asText());
        assertEquals("codename", violation.path("rule").asText(), violation::toString);
        assertFalse(String.join("", bodies).toLowerCase(java.util.Locale.ROOT).contains("nightingale"),
                bodies::toString);
        assertSignedPerStandardWebhooks(receiver);
    }

    @Test
    void a_message_failing_twice_is_retried_under_the_same_webhook_id_and_accepted_once() throws Exception {
        Receiver receiver = open(new Receiver((id, attempt) -> Receiver.Answer.of(attempt <= 2 ? 500 : 200)));
        Broker broker = broker(config("{initial: 10ms, max: 50ms, attempts: 5}", receiver));
        refuse(broker, "sk-limited", 3);
        await().atMost(WAIT).until(() -> count(broker, "broker.webhooks.delivered") == 1);
        List<Receiver.Delivery> got = receiver.deliveries();
        assertEquals(List.of(500, 500, 200), got.stream().map(Receiver.Delivery::status).toList());
        assertEquals(1, got.stream().map(Receiver.Delivery::id).distinct().count(), got::toString);
        assertEquals(1, got.stream().map(Receiver.Delivery::body).distinct().count(), "the body never changes");
        assertEquals(1, receiver.accepted().size());
        assertEquals(2, count(broker, "broker.webhooks.attempts.failed", "reason", "status"));
        await().atMost(WAIT).until(() -> outboxFiles().isEmpty());
        assertSignedPerStandardWebhooks(receiver);
    }

    @Test
    void a_429_retry_after_is_honoured_before_the_next_attempt() throws Exception {
        Receiver receiver = open(new Receiver((id, attempt) -> attempt == 1 ? new Receiver.Answer(429, "2")
                : Receiver.Answer.of(200)));
        Broker broker = broker(config("{initial: 10ms, max: 10m, attempts: 5}", receiver));
        refuse(broker, "sk-limited", 3);
        await().atMost(WAIT).until(() -> count(broker, "broker.webhooks.delivered") == 1);
        List<Receiver.Delivery> got = receiver.deliveries();
        assertEquals(List.of(429, 200), got.stream().map(Receiver.Delivery::status).toList());
        assertEquals(got.get(0).id(), got.get(1).id());
        assertEquals(1, count(broker, "broker.webhooks.attempts.failed", "reason", "rate_limited"));
        // The broker stamps each attempt with its own time: the retry came no sooner than Retry-After asked
        // (without it, the 10 ms backoff would have retried within the same second).
        long first = Long.parseLong(got.get(0).timestamp());
        long second = Long.parseLong(got.get(1).timestamp());
        assertTrue(second - first >= 2, "attempts at " + first + " and " + second);
    }

    @Test
    void an_undelivered_message_stays_in_the_outbox_and_a_new_broker_on_it_delivers_it() throws Exception {
        Receiver receiver = open(new Receiver((id, attempt) -> Receiver.Answer.of(503)));
        String yaml = config("{initial: 1h, max: 2h, attempts: 5}", receiver);
        Broker first = broker(yaml);
        refuse(first, "sk-limited", 3);
        await().atMost(WAIT).until(() -> count(first, "broker.webhooks.attempts.failed") == 1);
        first.close();
        assertEquals(1, outboxFiles().size(), "the failed message waits in the outbox");
        String id = receiver.deliveries().get(0).id();

        receiver.answer((msg, attempt) -> Receiver.Answer.of(200));
        Broker second = broker(yaml);
        await().atMost(WAIT).until(() -> count(second, "broker.webhooks.delivered") == 1);
        assertEquals(List.of(id, id), receiver.deliveries().stream().map(Receiver.Delivery::id).toList());
        assertEquals(1, receiver.accepted().size());
        await().atMost(WAIT).until(() -> outboxFiles().isEmpty());
        assertSignedPerStandardWebhooks(receiver);
    }

    @Test
    void a_410_disables_its_endpoint_and_nothing_more_is_sent_to_it() throws Exception {
        Receiver gone = open(new Receiver((id, attempt) -> Receiver.Answer.of(410)));
        Receiver healthy = open(new Receiver((id, attempt) -> Receiver.Answer.of(200)));
        Broker broker = broker(config("{initial: 10ms}", gone, healthy));
        refuse(broker, "sk-limited", 3);
        await().atMost(WAIT).until(() -> count(broker, "broker.webhooks.endpoints.disabled") == 1
                && count(broker, "broker.webhooks.delivered") == 1);
        refuse(broker, "sk-other", 3);
        // The gone endpoint comes first: had it still been enabled, its request would have been sent before this
        // second delivery to the healthy one.
        await().atMost(WAIT).until(() -> count(broker, "broker.webhooks.delivered") == 2);
        assertEquals(1, gone.deliveries().size(), gone.deliveries()::toString);
        assertEquals(2, healthy.accepted().size());
        assertEquals(0, count(broker, "broker.webhooks.attempts.failed"), "a 410 is not retried");
        await().atMost(WAIT).until(() -> outboxFiles().isEmpty());
    }

    private List<Path> outboxFiles() throws Exception {
        if (!Files.isDirectory(outbox)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(outbox)) {
            return files.toList();
        }
    }

    /** A started WebSocket client that closes. */
    private static final class WebSocketClientCloser implements AutoCloseable {
        final WebSocketClient client = new WebSocketClient();

        WebSocketClientCloser() throws Exception {
            client.start();
        }

        @Override
        public void close() throws Exception {
            client.stop();
        }
    }
}
