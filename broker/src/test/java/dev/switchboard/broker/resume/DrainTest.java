package dev.switchboard.broker.resume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.SeqAssert;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** Graceful drain: stop accepting, let answers finish, tell every client to reconnect, close with 1012. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class DrainTest {

    private static CompletableFuture<Boolean> drainAsync(ResumeBroker broker, Duration timeout) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return broker.broker.drain(timeout);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static void assertReconnectThenClose(RealtimeClient client, List<JsonNode> before) throws Exception {
        JsonNode reconnect = client.next();
        assertEquals("switchboard.reconnect", reconnect.path("type").asText(), reconnect::toString);
        assertEquals("service_restart", reconnect.path("reason").asText());
        assertTrue(reconnect.path("resume_token").asText().startsWith("rt1."));
        assertFalse(reconnect.has("seq"), "connection-level event");
        long lastSeq = before.isEmpty() ? 1 : before.get(before.size() - 1).path("seq").asLong();
        assertEquals(lastSeq, reconnect.path("last_seq").asLong());
        assertEquals(1012, client.awaitClose());
    }

    @Test
    void drain_lets_the_answer_in_progress_finish_then_asks_every_client_to_reconnect() throws Exception {
        try (ResumeBroker broker = ResumeBroker.start("drain: {timeout: 60s}\n")) {
            RealtimeClient idle = broker.connect("dev-key");
            idle.next();
            RealtimeClient busy = broker.connect("dev-key");
            busy.next();
            ResumeBroker.ask(busy, "Tell me a story.",
                    "{\"sim_tokens\":\"200\",\"sim_ttft_ms\":\"0\",\"sim_tokens_per_second\":\"200\"}");
            busy.until("response.output_text.delta");

            CompletableFuture<Boolean> drained = drainAsync(broker, Duration.ofSeconds(60));
            assertReconnectThenClose(idle, List.of());

            // New sessions are refused while draining.
            HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + broker.broker.port() + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(503, health.statusCode());
            assertThrows(Exception.class, () -> broker.connect("dev-key"));

            List<JsonNode> rest = busy.until("response.done");
            JsonNode done = rest.get(rest.size() - 1);
            assertEquals("completed", done.path("response").path("status").asText(), done::toString);
            assertReconnectThenClose(busy, rest);
            SeqAssert.contiguousFromOne(ResumeBroker.sequenced(busy.received()));
            assertTrue(drained.get(30, TimeUnit.SECONDS), "every connection closed within the timeout");
        }
    }

    @Test
    void past_the_drain_timeout_connections_are_closed_even_mid_answer() throws Exception {
        try (ResumeBroker broker = ResumeBroker.start("")) {
            RealtimeClient endless = broker.connect("dev-key");
            endless.next();
            ResumeBroker.ask(endless, "Never stop.",
                    "{\"sim_tokens\":\"100000\",\"sim_ttft_ms\":\"0\",\"sim_tokens_per_second\":\"50\"}");
            endless.until("response.output_text.delta");
            CompletableFuture<Boolean> drained = drainAsync(broker, Duration.ofMillis(200));
            List<JsonNode> frames = endless.until("switchboard.reconnect");
            assertTrue(frames.stream().noneMatch(f -> f.path("type").asText().equals("response.done")),
                    "the answer was still running");
            assertEquals(1012, endless.awaitClose());
            assertTrue(drained.get(30, TimeUnit.SECONDS));
        }
    }
}
