package dev.switchboard.broker.session;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.SeqAssert;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import dev.switchboard.broker.tenant.SessionLimits;
import dev.switchboard.broker.tenant.TenantRegistry;
import dev.switchboard.protocol.close.CloseReason;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, session duration and idle limits, through the real broker and the embedded simulator, on bridged
 * ({@code sim-chat}) and relayed ({@code sim-realtime}) sessions: a final {@code error} naming the limit, the close
 * code, and no resume afterwards. The limits are short so the tests do not wait long; every wait is bounded and
 * nothing asserts on elapsed time.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SessionLimitsTest {
    private static final String YAML = """
            simulator: {enabled: true}
            tenants:
              lasting: {keys: [k-max], models: ["*"], limits: {session_max_duration: 1s}}
              voice: {keys: [k-voice], models: ["*"], limits: {session_max_duration: 3s}}
              idling: {keys: [k-idle], models: ["*"], limits: {session_idle_timeout: 700ms}}
              keyed:
                keys: [k-keyed-plain, {key: k-keyed-tight, id: tight, limits: {session_idle_timeout: 300ms}}]
                models: ["*"]
                limits: {session_idle_timeout: 1h, session_max_duration: 2h}
            """;
    private static final String SLOW_AUDIO = "{\"sim_tokens\":\"3000\",\"sim_ttft_ms\":\"0\","
            + "\"sim_tokens_per_second\":\"100\"}";
    private static final String SLOW_TEXT = "{\"sim_tokens\":\"3000\",\"sim_ttft_ms\":\"0\","
            + "\"sim_tokens_per_second\":\"100\"}";
    /** Each closed session's tenant and reason, as the hooks saw them. */
    private static final List<String> CLOSED = new CopyOnWriteArrayList<>();
    private static BrokerConfig config;
    private static Broker broker;
    private static WebSocketClient ws;

    @BeforeAll
    static void start() throws Exception {
        config = new ConfigLoader(name -> null).parse(YAML).withListen(new BrokerConfig.Listen("127.0.0.1", 0));
        broker = Broker.start(config, new ResponseHooks() {
            @Override
            public void onSessionClosed(SessionInfo session, String reason) {
                CLOSED.add(session.tenantId() + ":" + reason);
            }
        });
        ws = new WebSocketClient();
        ws.setMaxTextMessageSize(64L << 20);
        ws.start();
    }

    @AfterAll
    static void stop() throws Exception {
        ws.stop();
        broker.close();
    }

    private static RealtimeClient connect(String key, String query) throws Exception {
        return RealtimeClient.connect(ws, URI.create("ws://127.0.0.1:" + broker.port() + "/v1/realtime?" + query),
                key);
    }

    private static JsonNode last(List<JsonNode> frames) {
        return frames.get(frames.size() - 1);
    }

    /** Reads to the limit's {@code error}, checks it is the last frame before the close, and returns it. */
    private static JsonNode finalError(RealtimeClient client, int closeCode) throws Exception {
        JsonNode error = last(client.until("error"));
        assertEquals(closeCode, client.awaitClose(), error::toString);
        assertEquals(error, last(client.received()), "the error is the session's last event");
        SeqAssert.contiguousFromOne(client.received());
        return error.path("error");
    }

    /** A resume of the session {@code token} names is refused: the session ended for good. */
    private static void assertResumeRefused(String key, String token, long lastSeq) throws Exception {
        try (RealtimeClient resumed = connect(key, "resume_token=" + token + "&last_seq=" + lastSeq)) {
            JsonNode refusal = resumed.next();
            assertEquals("resume_token_expired", refusal.path("error").path("code").asText(), refusal::toString);
            assertEquals(4410, resumed.awaitClose());
        }
    }

    @Test
    void a_bridged_session_at_its_max_duration_gets_a_final_error_and_4040_and_cannot_be_resumed() throws Exception {
        RealtimeClient client = connect("k-max", "model=sim-chat");
        String token = client.next().path("resume_token").asText();
        JsonNode error = finalError(client, 4040);
        assertEquals("session_max_duration", error.path("code").asText(), error::toString);
        assertEquals("invalid_request_error", error.path("type").asText());
        assertTrue(error.path("message").asText().contains("maximum duration of 1s (limits.session_max_duration)"),
                error::toString);
        assertResumeRefused("k-max", token, last(client.received()).path("seq").asLong());
        assertTrue(CLOSED.contains("lasting:session_max_duration"), CLOSED::toString);
    }

    @Test
    void a_bridged_answer_in_progress_at_the_max_duration_ends_cancelled_before_the_error() throws Exception {
        RealtimeClient client = connect("k-voice", "model=sim-chat");
        client.next();
        client.send(RealtimeClient.userMessage("Tell me a long story."));
        client.send(RealtimeClient.responseCreate("go", SLOW_TEXT));
        String responseId = last(client.until("response.output_text.delta")).path("response_id").asText();
        JsonNode done = last(client.until("response.done")).path("response");
        assertEquals(responseId, done.path("id").asText(), done::toString);
        assertEquals("cancelled", done.path("status").asText(), done::toString);
        assertEquals("session_max_duration", done.path("status_details").path("reason").asText(), done::toString);
        JsonNode error = finalError(client, 4040);
        assertEquals("session_max_duration", error.path("code").asText(), error::toString);
    }

    @Test
    void a_relayed_voice_session_at_its_max_duration_ends_its_answer_first_then_gets_the_error() throws Exception {
        RealtimeClient client = connect("k-voice", "model=sim-realtime");
        String token = client.next().path("resume_token").asText();
        client.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\","
                + "\"output_modalities\":[\"audio\"]}}");
        client.until("session.updated");
        client.send(RealtimeClient.userMessage("Tell me a long story."));
        client.until("conversation.item.done");
        client.send(RealtimeClient.responseCreate("go", SLOW_AUDIO));
        String responseId = last(client.until("response.output_audio.delta")).path("response_id").asText();
        JsonNode done = last(client.until("response.done")).path("response");
        assertEquals(responseId, done.path("id").asText());
        assertEquals("cancelled", done.path("status").asText(), done::toString);
        assertEquals("session_max_duration", done.path("status_details").path("reason").asText(), done::toString);
        JsonNode error = finalError(client, 4040);
        assertEquals("session_max_duration", error.path("code").asText(), error::toString);
        List<JsonNode> frames = client.received();
        int doneAt = frames.indexOf(last(frames.stream().filter(f -> f.path("type").asText()
                .equals("response.done")).toList()));
        for (JsonNode frame : frames.subList(doneAt + 1, frames.size())) {
            assertFalse(responseId.equals(frame.path("response_id").asText()), () -> "after response.done: " + frame);
        }
        assertResumeRefused("k-voice", token, last(frames).path("seq").asLong());
    }

    @Test
    void a_session_without_client_events_is_closed_with_4041() throws Exception {
        RealtimeClient client = connect("k-idle", "model=sim-realtime");
        client.next();
        JsonNode error = finalError(client, 4041);
        assertEquals("session_idle_timeout", error.path("code").asText(), error::toString);
        assertTrue(error.path("message").asText().contains("no client event for 700ms (limits.session_idle_timeout)"),
                error::toString);
    }

    @Test
    void a_detached_session_counts_as_idle_and_ends_for_good() throws Exception {
        int closedBefore = count("idling:session_idle_timeout");
        RealtimeClient client = connect("k-idle", "model=sim-chat");
        JsonNode created = client.next();
        client.session().disconnect();
        await().atMost(Duration.ofSeconds(20)).until(() -> count("idling:session_idle_timeout") > closedBefore);
        assertResumeRefused("k-idle", created.path("resume_token").asText(), created.path("seq").asLong());
    }

    @Test
    void a_keys_own_idle_timeout_applies_when_tighter_than_its_tenants() throws Exception {
        RealtimeClient client = connect("k-keyed-tight", "model=sim-chat");
        client.next();
        JsonNode error = finalError(client, 4041);
        assertTrue(error.path("message").asText().contains("no client event for 300ms"), error::toString);
    }

    @Test
    void the_tighter_of_the_tenants_and_the_keys_limits_holds_each_key() {
        TenantRegistry tenants = TenantRegistry.from(config.tenants());
        assertEquals(new SessionLimits(Optional.of(Duration.ofHours(2)), Optional.of(Duration.ofMillis(300))),
                tenants.resolve("k-keyed-tight").orElseThrow().sessionLimits());
        assertEquals(new SessionLimits(Optional.of(Duration.ofHours(2)), Optional.of(Duration.ofHours(1))),
                tenants.resolve("k-keyed-plain").orElseThrow().sessionLimits());
        assertEquals(new SessionLimits(Optional.of(Duration.ofSeconds(1)), Optional.empty()),
                tenants.resolve("k-max").orElseThrow().sessionLimits());
    }

    @Test
    void limits_are_written_back_as_the_configuration_writes_them() {
        assertEquals("300ms", SessionLimitTimers.written(Duration.ofMillis(300)));
        assertEquals("1500ms", SessionLimitTimers.written(Duration.ofMillis(1500)));
        assertEquals("90s", SessionLimitTimers.written(Duration.ofSeconds(90)));
        assertEquals("10m", SessionLimitTimers.written(Duration.ofMinutes(10)));
        assertEquals("2h", SessionLimitTimers.written(Duration.ofHours(2)));
    }

    @Test
    void an_idle_check_that_finds_a_client_frame_since_waits_for_the_new_deadline() {
        long[] now = {0};
        List<Long> delays = new CopyOnWriteArrayList<>();
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1) {
            @Override
            public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
                delays.add(unit.toMillis(delay));
                return super.schedule(command, 1, TimeUnit.HOURS);
            }
        };
        try {
            List<SessionSignal> published = new CopyOnWriteArrayList<>();
            SessionLimitTimers timers = new SessionLimitTimers(new SessionLimits(Optional.empty(),
                    Optional.of(Duration.ofSeconds(10))), scheduler, published::add, () -> now[0]);
            timers.start();
            now[0] = Duration.ofSeconds(4).toNanos();
            timers.onClientActivity();
            now[0] = Duration.ofSeconds(10).toNanos();
            assertFalse(timers.reached(CloseReason.SESSION_IDLE_TIMEOUT), "a frame came 6 s ago");
            assertEquals(List.of(10_000L, 4_000L), delays, "the next check is due at the new deadline");
            now[0] = Duration.ofSeconds(14).toNanos();
            assertTrue(timers.reached(CloseReason.SESSION_IDLE_TIMEOUT));
            timers.cancel();
            assertFalse(timers.reached(CloseReason.SESSION_IDLE_TIMEOUT), "nothing after the end");
        } finally {
            scheduler.shutdownNow();
        }
    }

    private static int count(String closed) {
        return (int) CLOSED.stream().filter(closed::equals).count();
    }
}
