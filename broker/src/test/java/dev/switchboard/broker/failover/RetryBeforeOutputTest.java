package dev.switchboard.broker.failover;

import dev.switchboard.broker.SeqAssert;
import dev.switchboard.broker.RealtimeClient;
import static dev.switchboard.broker.failover.Frames.ask;
import static dev.switchboard.broker.failover.Frames.done;
import static dev.switchboard.broker.failover.Frames.ofType;
import static dev.switchboard.broker.failover.Frames.onlyFailover;
import static dev.switchboard.broker.failover.Frames.text;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.simulator.SimulatorStats;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Failures before any output reached the client: refusals and resets are retried on the same provider (up to
 * its {@code max_retries}, or after a short {@code Retry-After}), a silent or slow provider is left at once for
 * the next target, and with no target left the response fails with the failure's code.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RetryBeforeOutputTest {
    private static final String QUESTION = "What did a switchboard operator say first?";
    private static final String KNOBS = Routes.fast(30);

    @Test
    void a_503_is_retried_on_the_same_provider_up_to_max_retries_then_the_next_target_serves() throws Exception {
        try (TestBroker broker = TestBroker.start(Routes.YAML)) {
            try (RealtimeClient client = broker.connect("sim-down")) {
                client.next();
                List<JsonNode> frames = ask(client, QUESTION, KNOBS);
                Frames.assertSingleResponse(frames);
                JsonNode failover = onlyFailover(frames);
                assertEquals("down", failover.path("from_provider").asText());
                assertEquals("simulator", failover.path("to_provider").asText());
                assertEquals("upstream_unavailable", failover.path("reason").asText());
                assertEquals("restart", failover.path("mode").asText(), "nothing to continue before any output");
                assertEquals(0, failover.path("output_index").asInt());
                assertTrue(ofType(frames.subList(0, frames.indexOf(failover)), "response.output_item.added")
                        .isEmpty());
                JsonNode response = done(frames);
                assertEquals("completed", response.path("status").asText(), response::toString);
                assertEquals("sim-backup", response.path("model").asText());
                assertEquals(1, response.path("output").size());
                SeqAssert.contiguousFromOne(client.received());
                assertEquals(Frames.reference(broker, QUESTION, KNOBS), text(frames));
            }
            assertEquals(2.0, broker.metric("bridge_upstream_retries_total", "provider", "down"));
            assertEquals(3, broker.simulator().faultsInjected(), "one request and two retries were refused");
            assertEquals(0.0, broker.metric("bridge_upstream_retries_total", "provider", "simulator"));
        }
    }

    @Test
    void a_503_with_no_next_target_fails_the_response_as_upstream_unavailable() throws Exception {
        try (TestBroker broker = TestBroker.start(Routes.YAML)) {
            try (RealtimeClient client = broker.connect("sim-down-alone")) {
                client.next();
                List<JsonNode> frames = ask(client, QUESTION, KNOBS);
                Frames.assertSingleResponse(frames);
                assertTrue(ofType(frames, "switchboard.response.failover").isEmpty());
                assertTrue(ofType(frames, "response.output_item.added").isEmpty());
                JsonNode response = done(frames);
                assertEquals("failed", response.path("status").asText(), response::toString);
                assertEquals("failed", response.path("status_details").path("type").asText());
                assertEquals("upstream_unavailable",
                        response.path("status_details").path("error").path("code").asText());
                assertTrue(response.path("status_details").path("error").path("message").asText().contains("503"),
                        response::toString);
                assertEquals(0, response.path("output").size());
                SeqAssert.contiguousFromOne(client.received());
            }
            assertEquals(2.0, broker.metric("bridge_upstream_retries_total", "provider", "down-alone"));
            assertEquals(3, broker.simulator().faultsInjected());
        }
    }

    @Test
    void a_429_with_a_short_retry_after_is_retried_on_the_same_provider_without_failover() throws Exception {
        try (TestBroker broker = TestBroker.start(Routes.YAML)) {
            try (RealtimeClient client = broker.connect("sim-limited")) {
                client.next();
                List<JsonNode> frames = ask(client, QUESTION, KNOBS);
                Frames.assertSingleResponse(frames);
                assertTrue(ofType(frames, "switchboard.response.failover").isEmpty(), () -> frames.toString());
                JsonNode response = done(frames);
                assertEquals("completed", response.path("status").asText(), response::toString);
                assertEquals("sim-primary", response.path("model").asText(), "the rate-limited provider served");
                SeqAssert.contiguousFromOne(client.received());
            }
            assertEquals(1.0, broker.metric("bridge_upstream_retries_total", "provider", "limited"));
            assertEquals(1, broker.simulator().faultsInjected(), "only the first request was refused");
            assertEquals(2, broker.simulator().requests(), "the refused request and its retry");
            assertEquals(0.0, broker.metric("bridge_upstream_failovers_total", "provider", "limited"));
        }
    }

    @Test
    void a_429_whose_retry_after_exceeds_max_retry_after_moves_to_the_next_target_at_once() throws Exception {
        try (TestBroker broker = TestBroker.start(Routes.YAML)) {
            try (RealtimeClient client = broker.connect("sim-limited-long")) {
                client.next();
                List<JsonNode> frames = ask(client, QUESTION, KNOBS);
                Frames.assertSingleResponse(frames);
                JsonNode failover = onlyFailover(frames);
                assertEquals("limited-long", failover.path("from_provider").asText());
                assertEquals("upstream_rate_limited", failover.path("reason").asText());
                assertEquals("completed", done(frames).path("status").asText(), () -> done(frames).toString());
                assertEquals("sim-backup", done(frames).path("model").asText());
                SeqAssert.contiguousFromOne(client.received());
            }
            assertEquals(0.0, broker.metric("bridge_upstream_retries_total", "provider", "limited-long"),
                    "a 30 s Retry-After is longer than max_retry_after (5 s): not waited for");
            assertEquals(1, broker.simulator().faultsInjected());
        }
    }

    @Test
    void a_response_cancelled_while_waiting_to_retry_is_not_retried() throws Exception {
        try (TestBroker broker = TestBroker.start(Routes.YAML)) {
            SimulatorStats stats = broker.simulator();
            try (RealtimeClient client = broker.connect("sim-limited")) {
                client.next();
                client.send(RealtimeClient.userMessage(QUESTION));
                client.until("conversation.item.done");
                client.send(RealtimeClient.responseCreate("evt_wait", KNOBS));
                // The 429 asks for a 1 s wait; cancel inside it.
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                        .until(() -> stats.faultsInjected() == 1);
                client.send("{\"type\":\"response.cancel\"}");
                List<JsonNode> frames = client.until("response.done");
                Frames.assertSingleResponse(frames);
                JsonNode response = done(frames);
                assertEquals("cancelled", response.path("status").asText(), response::toString);
                assertEquals("client_cancelled", response.path("status_details").path("reason").asText());
                // The scheduled retry outlives the response; when it fires it must find nothing to retry.
                await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5))
                        .until(() -> stats.requests() == 1);
                assertTrue(client.received().stream().noneMatch(f -> f.path("seq").asLong() > frames.get(
                        frames.size() - 1).path("seq").asLong()), "nothing follows response.done");
                SeqAssert.contiguousFromOne(client.received());
            }
        }
    }

    @Test
    void a_reset_before_headers_is_retried_then_the_next_target_serves() throws Exception {
        try (TestBroker broker = TestBroker.start(Routes.YAML)) {
            try (RealtimeClient client = broker.connect("sim-reset")) {
                client.next();
                List<JsonNode> frames = ask(client, QUESTION, KNOBS);
                Frames.assertSingleResponse(frames);
                JsonNode failover = onlyFailover(frames);
                assertEquals("reset", failover.path("from_provider").asText());
                assertEquals("upstream_unavailable", failover.path("reason").asText());
                assertEquals("completed", done(frames).path("status").asText(), () -> done(frames).toString());
                assertEquals("sim-backup", done(frames).path("model").asText());
                SeqAssert.contiguousFromOne(client.received());
                assertEquals(Frames.reference(broker, QUESTION, KNOBS), text(frames));
            }
            assertEquals(1.0, broker.metric("bridge_upstream_retries_total", "provider", "reset"));
            assertEquals(2, broker.simulator().faultsInjected(), "the request and its one retry were reset");
        }
    }

    @Test
    void a_provider_that_never_answers_is_left_after_the_first_token_timeout_and_not_retried() throws Exception {
        assertSilentProviderFailsOver("sim-silent", "silent");
    }

    @Test
    void a_provider_slower_than_the_first_token_timeout_is_left_for_the_next_target() throws Exception {
        assertSilentProviderFailsOver("sim-slow", "slow");
    }

    private static void assertSilentProviderFailsOver(String model, String provider) throws Exception {
        try (TestBroker broker = TestBroker.start(Routes.YAML)) {
            try (RealtimeClient client = broker.connect(model)) {
                client.next();
                List<JsonNode> frames = ask(client, QUESTION, KNOBS);
                Frames.assertSingleResponse(frames);
                JsonNode failover = onlyFailover(frames);
                assertEquals(provider, failover.path("from_provider").asText());
                assertEquals("simulator", failover.path("to_provider").asText());
                assertEquals("upstream_timeout", failover.path("reason").asText());
                assertEquals("restart", failover.path("mode").asText());
                assertEquals("completed", done(frames).path("status").asText(), () -> done(frames).toString());
                assertEquals("sim-backup", done(frames).path("model").asText());
                SeqAssert.contiguousFromOne(client.received());
                assertEquals(Frames.reference(broker, QUESTION, KNOBS), text(frames));
            }
            assertEquals(0.0, broker.metric("bridge_upstream_retries_total", "provider", provider),
                    "a silent route is not retried");
            assertEquals(1, broker.simulator().faultsInjected(), "the silent provider saw exactly one request");
        }
    }
}
