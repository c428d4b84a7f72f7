package dev.switchboard.broker.failover;

import dev.switchboard.broker.SeqAssert;
import dev.switchboard.broker.RealtimeClient;
import static dev.switchboard.broker.failover.Frames.ask;
import static dev.switchboard.broker.failover.Frames.done;
import static dev.switchboard.broker.failover.Frames.ofType;
import static dev.switchboard.broker.failover.Frames.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** Stream imperfections that are not failures: the answer completes on the provider that started it. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class StreamFaultTest {
    private static final String QUESTION = "Describe the sound of a busy exchange.";
    private static final int TOKENS = 40;
    private static final String KNOBS = Routes.fast(TOKENS);

    @Test
    void a_malformed_chunk_is_skipped_and_the_stream_completes_with_the_full_text() throws Exception {
        try (TestBroker broker = TestBroker.start(Routes.YAML)) {
            String expected = Frames.reference(broker, QUESTION, KNOBS);
            try (RealtimeClient client = broker.connect("sim-malformed")) {
                client.next();
                List<JsonNode> frames = ask(client, QUESTION, KNOBS);
                Frames.assertSingleResponse(frames);
                assertTrue(ofType(frames, "switchboard.response.failover").isEmpty(), () -> frames.toString());
                assertEquals(TOKENS, ofType(frames, "response.output_text.delta").size());
                assertEquals(expected, text(frames));
                JsonNode response = done(frames);
                assertEquals("completed", response.path("status").asText(), response::toString);
                assertEquals("sim-primary", response.path("model").asText());
                SeqAssert.contiguousFromOne(client.received());
            }
            assertEquals(1, broker.simulator().faultsInjected(), "the malformed chunk was really sent");
            assertEquals(0.0, broker.metric("bridge_upstream_retries_total", "provider", "malformed"));
        }
    }

    @Test
    void a_stream_without_done_completes_at_the_end_of_the_body_with_usage() throws Exception {
        // The provider's idle timeout is a minute, longer than any wait here: the response must complete when
        // the body ends, not when a timeout gives up on the missing [DONE].
        try (TestBroker broker = TestBroker.start(Routes.YAML)) {
            try (RealtimeClient client = broker.connect("sim-nodone")) {
                client.next();
                List<JsonNode> frames = ask(client, QUESTION, KNOBS);
                Frames.assertSingleResponse(frames);
                assertTrue(ofType(frames, "switchboard.response.failover").isEmpty(), () -> frames.toString());
                JsonNode response = done(frames);
                assertEquals("completed", response.path("status").asText(), response::toString);
                assertEquals("sim-primary", response.path("model").asText());
                assertEquals(TOKENS, response.path("usage").path("output_tokens").asLong(), response::toString);
                assertTrue(response.path("usage").path("input_tokens").asLong() > 0, response::toString);
                SeqAssert.contiguousFromOne(client.received());
                assertEquals(Frames.reference(broker, QUESTION, KNOBS), text(frames));
            }
            assertEquals(1, broker.simulator().faultsInjected());
        }
    }
}
