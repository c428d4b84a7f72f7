package dev.switchboard.broker.failover;

import dev.switchboard.broker.SeqAssert;
import dev.switchboard.broker.RealtimeClient;
import static dev.switchboard.broker.failover.Frames.ask;
import static dev.switchboard.broker.failover.Frames.done;
import static dev.switchboard.broker.failover.Frames.ofType;
import static dev.switchboard.broker.failover.Frames.onlyFailover;
import static dev.switchboard.broker.failover.Frames.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * 400 refusals: a context that is too long for one model may fit the next; a content-policy refusal would be
 * refused anywhere, so the response fails with the provider's reason and is neither retried nor moved.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RefusalRoutingTest {
    private static final String QUESTION = "Summarise the history of the exchange.";
    private static final String KNOBS = Routes.fast(25);

    @Test
    void context_length_exceeded_moves_the_response_to_the_next_target() throws Exception {
        try (TestBroker broker = TestBroker.start(Routes.YAML)) {
            try (RealtimeClient client = broker.connect("sim-ctx")) {
                client.next();
                List<JsonNode> frames = ask(client, QUESTION, KNOBS);
                Frames.assertSingleResponse(frames);
                JsonNode failover = onlyFailover(frames);
                assertEquals("ctx", failover.path("from_provider").asText());
                assertEquals("sim-small", failover.path("from_model").asText());
                assertEquals("sim-large", failover.path("to_model").asText());
                assertEquals("upstream_context_length_exceeded", failover.path("reason").asText());
                JsonNode response = done(frames);
                assertEquals("completed", response.path("status").asText(), response::toString);
                assertEquals("sim-large", response.path("model").asText());
                SeqAssert.contiguousFromOne(client.received());
                assertEquals(Frames.reference(broker, QUESTION, KNOBS), text(frames));
            }
            assertEquals(0.0, broker.metric("bridge_upstream_retries_total", "provider", "ctx"),
                    "the same model is never asked again");
            assertEquals(1, broker.simulator().faultsInjected());
        }
    }

    @Test
    void a_content_policy_refusal_fails_the_response_with_the_providers_reason() throws Exception {
        try (TestBroker broker = TestBroker.start(Routes.YAML)) {
            try (RealtimeClient client = broker.connect("sim-policy")) {
                client.next();
                List<JsonNode> frames = ask(client, QUESTION, KNOBS);
                Frames.assertSingleResponse(frames);
                assertTrue(ofType(frames, "switchboard.response.failover").isEmpty(), () -> frames.toString());
                assertTrue(ofType(frames, "response.output_item.added").isEmpty());
                JsonNode response = done(frames);
                assertEquals("failed", response.path("status").asText(), response::toString);
                JsonNode error = response.path("status_details").path("error");
                assertEquals("upstream_content_policy", error.path("code").asText(), response::toString);
                assertTrue(error.path("message").asText().contains("violence"), response::toString);
                assertEquals(0, response.path("output").size());
                SeqAssert.contiguousFromOne(client.received());
            }
            assertEquals(1, broker.simulator().requests(), "neither retried nor sent to the next target");
            assertEquals(0.0, broker.metric("bridge_upstream_retries_total", "provider", "policy"));
            assertEquals(0.0, broker.metric("bridge_upstream_failovers_total", "provider", "policy"));
            assertEquals(0.0, broker.metric("bridge_circuit_state", "provider", "policy"));
        }
    }
}
