package dev.switchboard.broker.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.SeqAssert;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import dev.switchboard.broker.guardrail.UsageStore;
import dev.switchboard.broker.session.ResponseHooks;
import java.net.URI;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: a relayed session ({@code sim-realtime}) is metered while it streams and cut by a budget like any
 * other, voice and text: the answer ends {@code incomplete} ({@code budget_exhausted}) mid-stream, nothing of it
 * follows, {@code seq} stays gapless, spend overshoots by at most one delta, and the next response is refused
 * {@code insufficient_quota}. The clock is fixed, so the day's budget is one counter.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RelayBudgetTest {
    private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");
    private static final String YAML = """
            simulator: {enabled: true}
            tenants:
              voice: {keys: [k-voice], models: ["*"], budgets: [{period: day, tokens: 100}]}
              text: {keys: [k-text], models: ["*"], budgets: [{period: day, tokens: 100}]}
            """;
    /** A long answer: 3,000 tokens, far past the 100-token budget, paced so the cut lands mid-stream. */
    private static final String LONG = "{\"sim_tokens\":\"3000\",\"sim_ttft_ms\":\"0\","
            + "\"sim_tokens_per_second\":\"400\"}";
    /** The largest audio delta: 100 ms of PCM16 at 24 kHz, metered at 960 bytes a token. */
    private static final int TOKENS_PER_AUDIO_DELTA = 4_800 / 960;
    /** The largest text delta: a simulator word of at most 12 characters, a quarter token per character. */
    private static final int TOKENS_PER_TEXT_DELTA = 3;
    private static final AtomicReference<UsageStore> STORE = new AtomicReference<>();
    /** The provider's input count of each cut response, charged when its late response.done arrives. */
    private static final java.util.Map<String, Long> LATE_INPUT = new java.util.concurrent.ConcurrentHashMap<>();
    private static Broker broker;
    private static WebSocketClient ws;

    @BeforeAll
    static void start() throws Exception {
        BrokerConfig config = new ConfigLoader(name -> null).parse(YAML);
        ResponseHooks late = new ResponseHooks() {
            @Override
            public void onUsageAfterCut(ResponseRecord record) {
                LATE_INPUT.put(record.response().responseId(), record.inputTokens());
            }
        };
        broker = Broker.start(config.withListen(new BrokerConfig.Listen("127.0.0.1", 0)), late,
                InstantSource.fixed(NOW), store -> {
                    STORE.set(store);
                    return store;
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

    private static RealtimeClient relayed(String key, String modality) throws Exception {
        RealtimeClient client = RealtimeClient.connect(ws, URI.create("ws://127.0.0.1:" + broker.port()
                + "/v1/realtime?model=sim-realtime"), key);
        client.next();
        client.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"output_modalities\":[\""
                + modality + "\"]}}");
        client.until("session.updated");
        return client;
    }

    @Test
    void a_long_voice_answer_is_cut_mid_stream_by_a_token_budget() throws Exception {
        cutByBudget("k-voice", "audio", "response.output_audio.delta", "b/voice/0/d2026-12-04",
                TOKENS_PER_AUDIO_DELTA);
    }

    @Test
    void a_long_text_answer_is_cut_mid_stream_by_a_token_budget() throws Exception {
        cutByBudget("k-text", "text", "response.output_text.delta", "b/text/0/d2026-12-04", TOKENS_PER_TEXT_DELTA);
    }

    private static void cutByBudget(String key, String modality, String deltaType, String budgetCounter,
                                    int tokensPerDelta) throws Exception {
        try (RealtimeClient client = relayed(key, modality)) {
            client.send(RealtimeClient.userMessage("Tell me a long story."));
            client.until("conversation.item.done");
            client.send(RealtimeClient.responseCreate("long", LONG));
            String responseId = last(client.until(deltaType)).path("response_id").asText();
            List<JsonNode> upToDone = client.until("response.done");
            JsonNode done = last(upToDone).path("response");
            assertEquals(responseId, done.path("id").asText(), done::toString);
            assertEquals("incomplete", done.path("status").asText(), done::toString);
            assertEquals("budget_exhausted", done.path("status_details").path("reason").asText(), done::toString);
            long deltas = client.received().stream().filter(f -> f.path("type").asText().equals(deltaType)).count();
            assertTrue(deltas > 1, "the answer streamed before the cut: " + deltas + " deltas");
            assertFalse(upToDone.stream().anyMatch(f -> f.path("type").asText().endsWith(".done")
                    && !f.path("type").asText().equals("response.done") && ofResponse(f, responseId)),
                    "cut mid-stream, before the answer's own ends");

            // A round trip: anything of the cut answer still on its way would arrive before this.
            client.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"instructions\":\"x\"}}");
            for (JsonNode frame : client.until("session.updated")) {
                assertFalse(ofResponse(frame, responseId), () -> "after the budget's response.done: " + frame);
            }
            SeqAssert.contiguousFromOne(client.received());

            // The provider's response.done of the cut answer still arrives (it is not relayed): its input count,
            // unknown at admission on a relayed session, is charged then. The metered output is what the bound
            // is about.
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> LATE_INPUT.containsKey(responseId));
            long input = LATE_INPUT.get(responseId);
            assertTrue(input > 0, "the provider counted the prompt: " + input);
            long spent = STORE.get().get(budgetCounter) - input;
            assertTrue(spent >= 100 && spent <= 100 + tokensPerDelta, "spent " + spent + " of a 100-token budget"
                    + " on output, plus " + input + " input tokens");

            client.send(RealtimeClient.responseCreate("after", "{}"));
            JsonNode error = last(client.until("error")).path("error");
            assertEquals("insufficient_quota", error.path("code").asText(), error::toString);
            assertEquals("after", error.path("event_id").asText(), error::toString);
            client.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"instructions\":\"y\"}}");
            for (JsonNode frame : client.until("session.updated")) {
                assertFalse(frame.path("type").asText().startsWith("response."), () -> "a refused response: " + frame);
            }
            SeqAssert.contiguousFromOne(client.received());
        }
    }

    private static boolean ofResponse(JsonNode frame, String responseId) {
        return responseId.equals(frame.path("response_id").asText())
                || responseId.equals(frame.path("response").path("id").asText());
    }

    private static JsonNode last(List<JsonNode> frames) {
        return frames.get(frames.size() - 1);
    }
}
