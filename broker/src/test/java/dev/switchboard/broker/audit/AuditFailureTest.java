package dev.switchboard.broker.audit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.RealtimeClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, {@code on_failure} through the real broker. The disk failure is the audit directory replaced by a
 * regular file (root ignores permissions, so chmod cannot simulate it). {@code closed}: a new
 * {@code response.create} gets an {@code error} event {@code audit_unavailable}, a chat request 503; once the
 * directory is back the broker serves again by itself and the first record says how many were lost. {@code open}:
 * requests are served and {@code broker_audit_records_lost_total} rises.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AuditFailureTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String TENANTS = "  acme: {keys: [{key: sk-acme, id: acme-key}], models: [\"*\"]}\n";
    private static final String SHORT = "{\"sim_tokens\":\"3\",\"sim_ttft_ms\":\"0\"}";
    private static final InstantSource NOON = InstantSource.fixed(Instant.parse("2026-12-04T12:00:00Z"));

    @TempDir
    Path tmp;

    @Test
    void closed_refuses_responses_and_chat_requests_with_audit_unavailable_while_the_dir_is_a_file_then_recovers()
            throws Exception {
        Path dir = tmp.resolve("audit");
        try (AuditBroker broker = AuditBroker.start(AuditBroker.yaml(dir, "closed", TENANTS), NOON);
             RealtimeClient client = broker.connect("sk-acme")) {
            client.send(RealtimeClient.userMessage("Hello"));
            breakDir(dir);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(20))
                    .until(() -> broker.metric("broker_audit_available").orElseThrow() == 0);

            client.send(RealtimeClient.responseCreate("r1", SHORT));
            List<JsonNode> frames = client.until("error");
            JsonNode error = frames.get(frames.size() - 1).path("error");
            assertEquals("audit_unavailable", error.path("code").asText(), error::toString);
            HttpResponse<String> refused = broker.post("sk-acme", AuditBroker.chat("hi"));
            assertEquals(503, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("audit_unavailable"), refused.body());

            Files.delete(dir);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(20))
                    .until(() -> broker.metric("broker_audit_available").orElseThrow() == 1);
            assertEquals(200, broker.post("sk-acme", AuditBroker.chat("hi")).statusCode());
            client.send(RealtimeClient.responseCreate("r2", SHORT));
            JsonNode done = last(client.until("response.done")).path("response");
            assertEquals("completed", done.path("status").asText(), done::toString);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(20))
                    .until(() -> !AuditBroker.records(dir, "records lost").isEmpty());
            assertTrue(AuditBroker.records(dir, "records lost").get(0).path("count").asLong() > 0);
        }
    }

    @Test
    void open_serves_while_the_dir_is_a_file_and_counts_the_lost_records() throws Exception {
        Path dir = tmp.resolve("audit");
        try (AuditBroker broker = AuditBroker.start(AuditBroker.yaml(dir, "open", TENANTS), NOON)) {
            double lostBefore = broker.metric("broker_audit_records_lost_total").orElseThrow();
            breakDir(dir);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(20))
                    .until(() -> broker.metric("broker_audit_available").orElseThrow() == 0);
            assertEquals(200, broker.post("sk-acme", AuditBroker.chat("hi")).statusCode());
            try (RealtimeClient client = broker.connect("sk-acme")) {
                client.send(RealtimeClient.userMessage("Hello"));
                client.send(RealtimeClient.responseCreate("r1", SHORT));
                JsonNode done = last(client.until("response.done")).path("response");
                assertEquals("completed", done.path("status").asText(), done::toString);
            }
            await().atMost(WAIT).pollInterval(Duration.ofMillis(20))
                    .until(() -> broker.metric("broker_audit_records_lost_total").orElseThrow() > lostBefore + 3);
            assertTrue(broker.metric("broker_audit_write_failures_total").orElseThrow() > 0);
        }
    }

    /** Deletes the audit directory and puts a regular file at its path: every write there fails, even as root. */
    private static void breakDir(Path dir) throws Exception {
        AuditBroker.deleteTree(dir);
        Files.writeString(dir, "not a directory");
    }

    private static JsonNode last(List<JsonNode> frames) {
        return frames.get(frames.size() - 1);
    }
}
