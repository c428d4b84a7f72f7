package dev.switchboard.broker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class CancelTest {
    private TestBroker broker;

    @BeforeEach
    void start() throws Exception {
        broker = TestBroker.dev();
    }

    @AfterEach
    void stop() throws Exception {
        broker.close();
    }

    /** Cancels after {@code afterDeltas} deltas; returns the frames of the whole exchange. */
    private static List<JsonNode> cancelAfter(RealtimeClient client, int afterDeltas, String metadata)
            throws Exception {
        client.next();
        client.send(RealtimeClient.userMessage("Please write a very long essay."));
        client.until("conversation.item.done");
        client.send(RealtimeClient.responseCreate("go", metadata));
        int[] seen = {0};
        client.until(f -> f.path("type").asText().equals("response.output_text.delta") && ++seen[0] >= afterDeltas);
        client.send("{\"type\":\"response.cancel\",\"event_id\":\"stop\"}");
        JsonNode done = client.until("response.done").stream().reduce((a, b) -> b).orElseThrow();
        assertEquals("cancelled", done.path("response").path("status").asText(), done::toString);
        assertEquals("client_cancelled", done.path("response").path("status_details").path("reason").asText());
        // A full round trip after response.done: anything the broker still held for the response would arrive
        // before session.updated.
        client.send("{\"type\":\"session.update\",\"session\":{\"instructions\":\"after\"}}");
        client.until("session.updated");
        return client.received();
    }

    private static void assertNothingAfterDone(List<JsonNode> frames) {
        int doneIndex = -1;
        String responseId = "";
        for (int i = 0; i < frames.size(); i++) {
            if (frames.get(i).path("type").asText().equals("response.done")) {
                doneIndex = i;
                responseId = frames.get(i).path("response").path("id").asText();
            }
        }
        assertTrue(doneIndex > 0, "response.done was never received");
        for (JsonNode frame : frames.subList(doneIndex + 1, frames.size())) {
            assertTrue(!frame.path("response_id").asText().equals(responseId),
                    () -> "event of the cancelled response after its response.done: " + frame);
        }
    }

    @Test
    void cancel_ends_the_response_with_no_trailing_delta_and_aborts_the_upstream() throws Exception {
        try (RealtimeClient client = broker.connect()) {
            List<JsonNode> frames = cancelAfter(client, 5,
                    "{\"sim_tokens\":\"4000\",\"sim_ttft_ms\":\"0\",\"sim_tokens_per_second\":\"400\"}");
            assertNothingAfterDone(frames);
            SeqAssert.contiguousFromOne(frames);
        }
        var stats = broker.broker.simulator().orElseThrow().stats();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> stats.streamsAborted() == 1);
        assertEquals(0, stats.streamsCompleted(), "the cancelled stream must not have run to completion");
    }

    @Test
    void cancel_drops_deltas_already_queued_inside_the_broker() throws Exception {
        // The provider bursts as fast as it can, so when the cancel arrives the rings and the outbound buffer
        // already hold deltas of the response; none of them may reach the client after response.done.
        try (RealtimeClient client = broker.connect()) {
            List<JsonNode> frames = cancelAfter(client, 1,
                    "{\"sim_tokens\":\"20000\",\"sim_ttft_ms\":\"0\",\"sim_tokens_per_second\":\"1000000\"}");
            assertNothingAfterDone(frames);
            SeqAssert.contiguousFromOne(frames);
        }
    }

    @Test
    void cancel_without_an_active_response_is_an_error_and_the_session_stays_usable() throws Exception {
        try (RealtimeClient client = broker.connect()) {
            client.next();
            client.send("{\"type\":\"response.cancel\",\"event_id\":\"nothing\"}");
            JsonNode error = client.next();
            assertEquals("response_cancel_not_active", error.path("error").path("code").asText());
            assertEquals("nothing", error.path("error").path("event_id").asText());
        }
    }

    @Test
    void fifty_sessions_cancelling_at_random_points_never_see_a_stale_delta() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            List<CompletableFuture<List<JsonNode>>> runs = new ArrayList<>();
            Random random = new Random(42);
            for (int i = 0; i < 50; i++) {
                int after = 1 + random.nextInt(40);
                runs.add(CompletableFuture.supplyAsync(() -> {
                    try (RealtimeClient client = broker.connect()) {
                        return cancelAfter(client, after, "{\"sim_tokens\":\"3000\",\"sim_ttft_ms\":\"0\","
                                + "\"sim_tokens_per_second\":\"2000\"}");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, pool));
            }
            for (CompletableFuture<List<JsonNode>> run : runs) {
                List<JsonNode> frames = run.get(60, TimeUnit.SECONDS);
                assertNothingAfterDone(frames);
                SeqAssert.contiguousFromOne(frames);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
