package dev.switchboard.broker.resume;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.StalledClient;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.SeqAssert;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * A client that stops reading: its upstream is paused at the high watermark, the broker's memory for it stays
 * within the outbound bound, it is closed as a slow consumer after {@code outbound.max_stall}, other sessions
 * carry on, and it can resume from its last seq with nothing lost.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SlowConsumerTest {
    private static final int TOKENS = 60_000;
    private static final long MAX_BYTES = 256 * 1024;
    private static ResumeBroker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = ResumeBroker.start("""
                outbound: {high_watermark_bytes: 16384, low_watermark_bytes: 4096, max_bytes: %d, max_stall: 1s}
                sessions: {replay: {max_events: 200000, max_bytes: 67108864}}
                """.formatted(MAX_BYTES));
    }

    @AfterAll
    static void stop() throws Exception {
        broker.close();
    }

    @Test
    void a_stalled_client_is_paused_then_closed_as_slow_while_others_continue_and_it_resumes_losslessly()
            throws Exception {
        StalledClient slow = new StalledClient();
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        request.setHeader("Authorization", "Bearer dev-key");
        broker.client.connect(slow, broker.ws("model=" + ResumeBroker.CHAT), request).get(10, TimeUnit.SECONDS);
        Session session = slow.opened.get(10, TimeUnit.SECONDS);
        session.sendText(RealtimeClient.userMessage("Flood me."), Callback.NOOP);
        session.sendText(RealtimeClient.responseCreate("flood", "{\"sim_tokens\":\"" + TOKENS
                + "\",\"sim_ttft_ms\":\"0\",\"sim_tokens_per_second\":\"1000000\"}"), Callback.NOOP);

        // While it stalls, a normal session gets its whole answer.
        try (RealtimeClient normal = broker.connect("dev-key")) {
            normal.next();
            ResumeBroker.ask(normal, "Hello.", "{\"sim_tokens\":\"50\",\"sim_ttft_ms\":\"0\"}");
            List<JsonNode> answer = normal.until("response.done");
            assertEquals("completed", answer.get(answer.size() - 1).path("response").path("status").asText());
        }

        var metrics = broker.broker.metrics();
        AtomicLong peakUnsent = new AtomicLong();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10)).until(() -> {
            peakUnsent.accumulateAndGet(metrics.unsentOutboundBytes(), Math::max);
            return metrics.registry().get("broker.connections.slow_consumer").counter().count() >= 1;
        });
        assertTrue(peakUnsent.get() <= MAX_BYTES, "unsent bytes stayed within outbound.max_bytes: " + peakUnsent);
        assertTrue(metrics.registry().get("broker.backpressure.pauses").counter().count() >= 1);
        assertEquals(1, broker.broker.simulator().orElseThrow().stats().streamsCompleted(),
                "only the normal answer completed: the slow one is held back at the provider, not in memory");

        // It reads what reached it, then resumes from the last seq it has.
        slow.reading = true;
        session.demand();
        await().atMost(Duration.ofSeconds(30)).until(() -> slow.closeCode != 0);
        List<JsonNode> seen = new ArrayList<>(slow.frames);
        String token = seen.get(0).path("resume_token").asText();
        long lastSeq = seen.get(seen.size() - 1).path("seq").asLong();
        RealtimeClient resumed = broker.resume("dev-key", token, lastSeq);
        assertEquals("session.resumed", resumed.next().path("type").asText());
        for (JsonNode frame : resumed.until("response.done")) {
            seen.add(frame);
        }
        SeqAssert.contiguousFromOne(seen);
        assertEquals(TOKENS, seen.stream().filter(f -> f.path("type").asText()
                .equals("response.output_text.delta")).count());
        assertEquals("completed", seen.get(seen.size() - 1).path("response").path("status").asText());
        resumed.close();
    }
}
