package dev.switchboard.broker.failover;

import dev.switchboard.broker.SeqAssert;
import dev.switchboard.broker.RealtimeClient;
import static dev.switchboard.broker.failover.Frames.ask;
import static dev.switchboard.broker.failover.Frames.done;
import static dev.switchboard.broker.failover.Frames.ofType;
import static dev.switchboard.broker.failover.Frames.onlyFailover;
import static dev.switchboard.broker.failover.Frames.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * The shipped dev configuration's {@code sim-failover} model: its first target cuts every stream after 40
 * tokens and the healthy simulator continues the answer.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class DevFailoverModelTest {
    private static final int SESSIONS = 20;
    private static TestBroker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = TestBroker.dev();
    }

    @AfterAll
    static void stop() throws Exception {
        broker.close();
    }

    @Test
    void an_answer_longer_than_forty_tokens_fails_over_mid_answer_and_equals_the_same_answer_on_sim_chat()
            throws Exception {
        String question = "Tell me a long story about a night-shift operator.";
        String knobs = Routes.fast(80);
        String expected = Frames.reference(broker, "sim-chat", question, knobs);
        try (RealtimeClient client = broker.connect("sim-failover")) {
            client.next();
            List<JsonNode> frames = ask(client, question, knobs);
            Frames.assertSingleResponse(frames);
            JsonNode failover = onlyFailover(frames);
            assertEquals("simulator-cut", failover.path("from_provider").asText());
            assertEquals("simulator", failover.path("to_provider").asText());
            assertEquals("upstream_stream_broken", failover.path("reason").asText());
            assertEquals("continue", failover.path("mode").asText());
            assertEquals(40, ofType(frames.subList(0, frames.indexOf(failover)), "response.output_text.delta").size());
            assertEquals(80, ofType(frames, "response.output_text.delta").size());
            assertEquals(expected, text(frames));
            assertEquals("completed", done(frames).path("status").asText(), () -> done(frames).toString());
            SeqAssert.contiguousFromOne(client.received());
        }
    }

    @Test
    void twenty_concurrent_sessions_on_sim_failover_all_complete_with_contiguous_seq_and_the_right_text()
            throws Exception {
        // Paced at 400 tokens/s, so the 20 failing-over responses and their references overlap in time.
        String knobs = "{\"sim_tokens\":\"70\",\"sim_ttft_ms\":\"20\",\"sim_tokens_per_second\":\"400\"}";
        double failoversBefore = broker.metric("bridge_upstream_failovers_total", "provider", "simulator-cut",
                "mode", "continue");
        List<RealtimeClient> failing = new ArrayList<>();
        List<RealtimeClient> references = new ArrayList<>();
        try {
            for (int i = 0; i < SESSIONS; i++) {
                failing.add(broker.connect("sim-failover"));
                references.add(broker.connect("sim-chat"));
            }
            for (int i = 0; i < SESSIONS; i++) {
                for (RealtimeClient client : List.of(failing.get(i), references.get(i))) {
                    client.next();
                    client.send(RealtimeClient.userMessage("Session " + i + " wants a story."));
                }
            }
            for (int i = 0; i < SESSIONS; i++) {
                for (RealtimeClient client : List.of(failing.get(i), references.get(i))) {
                    client.until("conversation.item.done");
                    client.send(RealtimeClient.responseCreate("r" + i, knobs));
                }
            }
            for (int i = 0; i < SESSIONS; i++) {
                List<JsonNode> frames = failing.get(i).until("response.done");
                List<JsonNode> reference = references.get(i).until("response.done");
                int session = i;
                assertEquals("completed", done(frames).path("status").asText(), () -> "session " + session);
                assertEquals("continue", onlyFailover(frames).path("mode").asText());
                assertEquals(text(reference), text(frames), () -> "session " + session);
                SeqAssert.contiguousFromOne(failing.get(i).received());
                SeqAssert.contiguousFromOne(references.get(i).received());
            }
        } finally {
            failing.forEach(RealtimeClient::close);
            references.forEach(RealtimeClient::close);
        }
        assertEquals(failoversBefore + SESSIONS, broker.metric("bridge_upstream_failovers_total", "provider",
                "simulator-cut", "mode", "continue"));
    }
}
