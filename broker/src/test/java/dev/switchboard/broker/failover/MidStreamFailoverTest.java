package dev.switchboard.broker.failover;

import dev.switchboard.broker.SeqAssert;
import dev.switchboard.broker.RealtimeClient;
import static dev.switchboard.broker.failover.Frames.ask;
import static dev.switchboard.broker.failover.Frames.done;
import static dev.switchboard.broker.failover.Frames.ofType;
import static dev.switchboard.broker.failover.Frames.onlyFailover;
import static dev.switchboard.broker.failover.Frames.outputText;
import static dev.switchboard.broker.failover.Frames.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * A provider stream that breaks after output has reached the client: the broker moves the response to the
 * route's next target, continuing the same item from an assistant prefill when that target can, restarting the
 * answer in a new item when it cannot.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class MidStreamFailoverTest {
    private static final String QUESTION = "Explain how a telephone switchboard routed calls.";
    private static final String FOLLOW_UP = "And who operated it?";
    private static final String KNOBS = Routes.fast(60);

    @Test
    void a_stream_cut_mid_answer_is_continued_in_the_same_item_by_a_prefill_capable_target() throws Exception {
        try (TestBroker broker = TestBroker.start(Routes.YAML)) {
            String[] conversation = referenceConversation(broker);
            String expected = conversation[0];
            try (RealtimeClient client = broker.connect("sim-cut-prefill")) {
                client.next();
                List<JsonNode> frames = ask(client, QUESTION, KNOBS);
                String responseId = Frames.assertSingleResponse(frames);

                JsonNode failover = onlyFailover(frames);
                assertEquals(responseId, failover.path("response_id").asText());
                assertEquals("cut", failover.path("from_provider").asText());
                assertEquals("sim-primary", failover.path("from_model").asText());
                assertEquals("simulator", failover.path("to_provider").asText());
                assertEquals("sim-backup", failover.path("to_model").asText());
                assertEquals("upstream_stream_broken", failover.path("reason").asText());
                assertEquals("continue", failover.path("mode").asText());
                assertEquals(0, failover.path("output_index").asInt());

                int at = frames.indexOf(failover);
                assertEquals(20, ofType(frames.subList(0, at), "response.output_text.delta").size(),
                        "the cut provider streams 20 tokens before the connection drops");
                assertFalse(ofType(frames.subList(at, frames.size()), "response.output_text.delta").isEmpty(),
                        "the next target continues the answer");
                List<JsonNode> deltas = ofType(frames, "response.output_text.delta");
                assertEquals(1, deltas.stream().map(d -> d.path("item_id").asText()).distinct().count(),
                        "every delta lands in the same item");
                assertTrue(deltas.stream().allMatch(d -> d.path("output_index").asInt() == 0));
                assertEquals(1, ofType(frames, "response.output_item.added").size());
                assertTrue(ofType(frames.subList(0, at), "response.output_item.done").isEmpty(),
                        "the continued item is not closed at the failover");

                assertEquals(expected, text(frames), "continuation must splice into exactly the uninterrupted text");
                assertEquals(expected, ofType(frames, "response.output_text.done").get(0).path("text").asText());
                JsonNode response = done(frames);
                assertEquals("completed", response.path("status").asText(), response::toString);
                assertEquals("sim-backup", response.path("model").asText(), "the model that finished the answer");
                assertEquals(deltas.size(), response.path("usage").path("output_tokens").asInt(),
                        "usage counts the tokens of both attempts (one simulator token per delta)");
                assertEquals(1, response.path("output").size());
                assertEquals("completed", response.path("output").path(0).path("status").asText());
                assertEquals(expected, outputText(response, 0));

                // The conversation holds the whole spliced answer: a follow-up (cut and continued again) reads
                // exactly what it reads after an uninterrupted first answer.
                List<JsonNode> second = ask(client, FOLLOW_UP, KNOBS);
                assertEquals("continue", onlyFailover(second).path("mode").asText());
                assertEquals(conversation[1], text(second));
                SeqAssert.contiguousFromOne(client.received());
            }
            assertEquals(2.0, broker.metric("bridge_upstream_failovers_total", "provider", "cut", "mode", "continue"));
            assertEquals(0.0, broker.metric("bridge_upstream_retries_total", "provider", "cut"),
                    "output had started: no retry on the broken provider");
        }
    }

    @Test
    void an_in_band_provider_error_mid_answer_is_continued_by_the_next_target() throws Exception {
        try (TestBroker broker = TestBroker.start(Routes.YAML)) {
            String expected = Frames.reference(broker, QUESTION, KNOBS);
            try (RealtimeClient client = broker.connect("sim-inband")) {
                client.next();
                List<JsonNode> frames = ask(client, QUESTION, KNOBS);
                Frames.assertSingleResponse(frames);
                JsonNode failover = onlyFailover(frames);
                assertEquals("upstream_stream_broken", failover.path("reason").asText());
                assertEquals("continue", failover.path("mode").asText());
                assertEquals(15, ofType(frames.subList(0, frames.indexOf(failover)),
                        "response.output_text.delta").size());
                assertEquals(expected, text(frames));
                assertEquals("completed", done(frames).path("status").asText());
                SeqAssert.contiguousFromOne(client.received());
            }
        }
    }

    @Test
    void a_cut_right_after_the_last_token_is_finished_by_an_empty_continuation() throws Exception {
        // 20 tokens wanted and the cut after 20: the answer is whole, only its finish was lost.
        String knobs = Routes.fast(20);
        try (TestBroker broker = TestBroker.start(Routes.YAML)) {
            String expected = Frames.reference(broker, QUESTION, knobs);
            try (RealtimeClient client = broker.connect("sim-cut-prefill")) {
                client.next();
                List<JsonNode> frames = ask(client, QUESTION, knobs);
                JsonNode failover = onlyFailover(frames);
                assertEquals("continue", failover.path("mode").asText());
                assertTrue(ofType(frames.subList(frames.indexOf(failover), frames.size()),
                        "response.output_text.delta").isEmpty(), "nothing was left to continue");
                assertEquals(expected, text(frames));
                JsonNode response = done(frames);
                assertEquals("completed", response.path("status").asText(), response::toString);
                assertEquals(expected, outputText(response, 0));
                SeqAssert.contiguousFromOne(client.received());
            }
        }
    }

    @Test
    void a_continued_answer_still_respects_max_output_tokens() throws Exception {
        // 60 tokens wanted, 30 allowed: the uninterrupted run stops at 30 as incomplete. The cut comes after 20,
        // so the continuation may add only 10 more.
        String create = "{\"type\":\"response.create\",\"response\":{\"max_output_tokens\":30,\"metadata\":"
                + KNOBS + "}}";
        try (TestBroker broker = TestBroker.start(Routes.YAML)) {
            List<JsonNode> reference;
            try (RealtimeClient client = broker.connect(Routes.DIRECT)) {
                client.next();
                reference = askWith(client, create);
            }
            JsonNode referenceDone = done(reference);
            assertEquals("incomplete", referenceDone.path("status").asText(), referenceDone::toString);
            assertEquals(30, ofType(reference, "response.output_text.delta").size());
            try (RealtimeClient client = broker.connect("sim-cut-prefill")) {
                client.next();
                List<JsonNode> frames = askWith(client, create);
                assertEquals("continue", onlyFailover(frames).path("mode").asText());
                assertEquals(text(reference), text(frames), "the cap applies to the whole answer");
                JsonNode response = done(frames);
                assertEquals("incomplete", response.path("status").asText(), response::toString);
                assertEquals("max_output_tokens", response.path("status_details").path("reason").asText());
                SeqAssert.contiguousFromOne(client.received());
            }
        }
    }

    @Test
    void an_answer_cut_exactly_at_max_output_tokens_ends_incomplete_without_a_failover() throws Exception {
        // The cut comes after 20 tokens, which is the whole allowance: nothing is left for a continuation.
        String create = "{\"type\":\"response.create\",\"response\":{\"max_output_tokens\":20,\"metadata\":"
                + KNOBS + "}}";
        try (TestBroker broker = TestBroker.start(Routes.YAML)) {
            List<JsonNode> reference;
            try (RealtimeClient client = broker.connect(Routes.DIRECT)) {
                client.next();
                reference = askWith(client, create);
            }
            try (RealtimeClient client = broker.connect("sim-cut-prefill")) {
                client.next();
                List<JsonNode> frames = askWith(client, create);
                Frames.assertSingleResponse(frames);
                assertTrue(ofType(frames, "switchboard.response.failover").isEmpty(), () -> frames.toString());
                assertEquals(text(reference), text(frames));
                JsonNode response = done(frames);
                assertEquals("incomplete", response.path("status").asText(), response::toString);
                assertEquals("max_output_tokens", response.path("status_details").path("reason").asText());
                assertEquals(20, response.path("usage").path("output_tokens").asLong(), response::toString);
                assertEquals(text(reference), outputText(response, 0));
                SeqAssert.contiguousFromOne(client.received());
            }
            assertEquals(2, broker.simulator().requests(), "the reference and the cut request; no continuation");
        }
    }

    private static List<JsonNode> askWith(RealtimeClient client, String responseCreate) throws Exception {
        client.send(RealtimeClient.userMessage(QUESTION));
        client.until("conversation.item.done");
        client.send(responseCreate);
        return client.until("response.done");
    }

    @Test
    void a_stream_cut_mid_answer_restarts_in_a_new_item_on_a_target_that_cannot_continue() throws Exception {
        try (TestBroker broker = TestBroker.start(Routes.YAML)) {
            String[] expected = referenceConversation(broker);
            try (RealtimeClient client = broker.connect("sim-cut-restart")) {
                client.next();
                List<JsonNode> frames = ask(client, QUESTION, KNOBS);
                Frames.assertSingleResponse(frames);

                JsonNode failover = onlyFailover(frames);
                assertEquals("cut", failover.path("from_provider").asText());
                assertEquals("restarter", failover.path("to_provider").asText());
                assertEquals("upstream_stream_broken", failover.path("reason").asText());
                assertEquals("restart", failover.path("mode").asText());
                assertEquals(1, failover.path("output_index").asInt());

                // The interrupted item is closed as incomplete before the failover is announced.
                int at = frames.indexOf(failover);
                List<JsonNode> closedBefore = ofType(frames.subList(0, at), "response.output_item.done");
                assertEquals(1, closedBefore.size());
                assertEquals(0, closedBefore.get(0).path("output_index").asInt());
                assertEquals("incomplete", closedBefore.get(0).path("item").path("status").asText());
                List<JsonNode> added = ofType(frames, "response.output_item.added");
                assertEquals(List.of(0, 1), added.stream().map(a -> a.path("output_index").asInt())
                        .collect(Collectors.toList()));
                assertTrue(frames.indexOf(added.get(1)) > at, "the restarted item opens after the failover");

                String partial = text(frames, 0);
                assertEquals(20, ofType(frames.subList(0, at), "response.output_text.delta").size());
                assertTrue(expected[0].startsWith(partial), "the interrupted item holds a prefix of the answer");
                assertEquals(expected[0], text(frames, 1), "the restarted item holds the whole answer");

                JsonNode response = done(frames);
                assertEquals("completed", response.path("status").asText(), response::toString);
                assertEquals("sim-backup", response.path("model").asText());
                assertEquals(2, response.path("output").size());
                assertEquals("incomplete", response.path("output").path(0).path("status").asText());
                assertEquals(partial, outputText(response, 0));
                assertEquals("completed", response.path("output").path(1).path("status").asText());
                assertEquals(expected[0], outputText(response, 1));

                // The conversation kept only the finished answer: a follow-up reads exactly what it would have
                // read after an uninterrupted run (an abandoned partial item would change its text).
                List<JsonNode> second = ask(client, FOLLOW_UP, KNOBS);
                assertEquals("completed", done(second).path("status").asText());
                assertEquals("restart", onlyFailover(second).path("mode").asText());
                assertEquals(expected[1], text(second, 1));
                SeqAssert.contiguousFromOne(client.received());
            }
            assertEquals(2.0, broker.metric("bridge_upstream_failovers_total", "provider", "cut", "mode", "restart"));
        }
    }

    @Test
    void a_fallback_that_rejects_the_prefill_restarts_the_answer_cleanly_on_itself() throws Exception {
        try (TestBroker broker = TestBroker.start(Routes.YAML)) {
            String expected = Frames.reference(broker, QUESTION, KNOBS);
            try (RealtimeClient client = broker.connect("sim-cut-noprefill")) {
                client.next();
                List<JsonNode> frames = ask(client, QUESTION, KNOBS);
                Frames.assertSingleResponse(frames);

                List<JsonNode> failovers = ofType(frames, "switchboard.response.failover");
                assertEquals(2, failovers.size(), () -> "failover events: " + failovers);
                JsonNode toFallback = failovers.get(0);
                assertEquals("cut", toFallback.path("from_provider").asText());
                assertEquals("noprefill", toFallback.path("to_provider").asText());
                assertEquals("continue", toFallback.path("mode").asText());
                assertEquals(0, toFallback.path("output_index").asInt());
                JsonNode restart = failovers.get(1);
                assertEquals("noprefill", restart.path("from_provider").asText());
                assertEquals("noprefill", restart.path("to_provider").asText());
                assertEquals("upstream_rejected", restart.path("reason").asText());
                assertEquals("restart", restart.path("mode").asText());
                assertEquals(1, restart.path("output_index").asInt());

                int first = frames.indexOf(toFallback);
                int second = frames.indexOf(restart);
                assertTrue(ofType(frames.subList(first, second), "response.output_text.delta").isEmpty(),
                        "nothing is spliced onto the interrupted item");
                assertEquals(20, ofType(frames.subList(0, first), "response.output_text.delta").size());
                String partial = text(frames, 0);
                assertTrue(expected.startsWith(partial));
                assertEquals(expected, text(frames, 1));

                JsonNode response = done(frames);
                assertEquals("completed", response.path("status").asText(), response::toString);
                assertEquals(2, response.path("output").size());
                assertEquals("incomplete", response.path("output").path(0).path("status").asText());
                assertEquals(partial, outputText(response, 0));
                assertEquals(expected, outputText(response, 1));
                SeqAssert.contiguousFromOne(client.received());
            }
            assertEquals(0.0, broker.metric("bridge_circuit_state", "provider", "noprefill"),
                    "a refused prefill says nothing against the provider");
        }
    }

    @Test
    void a_stream_that_stalls_mid_answer_is_continued_by_the_next_target() throws Exception {
        try (TestBroker broker = TestBroker.start(Routes.YAML)) {
            String expected = Frames.reference(broker, QUESTION, KNOBS);
            try (RealtimeClient client = broker.connect("sim-stall")) {
                client.next();
                List<JsonNode> frames = ask(client, QUESTION, KNOBS);
                Frames.assertSingleResponse(frames);
                JsonNode failover = onlyFailover(frames);
                assertEquals("stall", failover.path("from_provider").asText());
                assertEquals("upstream_timeout", failover.path("reason").asText());
                assertEquals("continue", failover.path("mode").asText());
                assertEquals(10, ofType(frames.subList(0, frames.indexOf(failover)),
                        "response.output_text.delta").size());
                assertEquals(expected, text(frames));
                assertEquals("completed", done(frames).path("status").asText());
                assertEquals("sim-backup", done(frames).path("model").asText());
                SeqAssert.contiguousFromOne(client.received());
            }
        }
    }

    /** The uninterrupted answers to {@link #QUESTION} and then {@link #FOLLOW_UP}, in one session. */
    private static String[] referenceConversation(TestBroker broker) throws Exception {
        try (RealtimeClient client = broker.connect(Routes.DIRECT)) {
            client.next();
            String first = text(ask(client, QUESTION, KNOBS));
            String second = text(ask(client, FOLLOW_UP, KNOBS));
            return new String[] {first, second};
        }
    }
}
