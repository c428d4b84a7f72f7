package dev.switchboard.broker.audit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.MovableClock;
import dev.switchboard.broker.RealtimeClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, the audit log through the real broker: the records of a session and its response, of refusals at
 * admission and by a rate limit, with ids and figures and never the prompt, the answer or the key; and the chain
 * as {@code audit verify} sees it across days and across a restart.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AuditLogTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String TENANTS = """
              acme: {keys: [{key: sk-acme-secret-1, id: acme-key}], models: ["*"]}
              paced: {keys: [{key: sk-paced-secret, id: paced-key}], models: ["*"], limits: {requests_per_minute: 1}}
            """;
    private static final InstantSource NOON = InstantSource.fixed(Instant.parse("2026-12-04T12:00:00Z"));

    @TempDir
    Path tmp;

    @Test
    void a_session_with_a_response_writes_opened_started_ended_and_closed_records_without_any_text()
            throws Exception {
        Path dir = tmp.resolve("audit");
        String answer;
        String sessionId;
        try (AuditBroker broker = AuditBroker.start(AuditBroker.yaml(dir, "closed", TENANTS), NOON)) {
            try (RealtimeClient client = broker.connect("sk-acme-secret-1")) {
                sessionId = client.received().get(0).path("session").path("id").asText();
                client.send(RealtimeClient.userMessage("PROMPT-SECRET-4711 please"));
                client.send(RealtimeClient.responseCreate("r1", "{\"sim_tokens\":\"6\",\"sim_ttft_ms\":\"0\"}"));
                List<JsonNode> frames = client.until("response.done");
                answer = frames.stream().filter(f -> f.path("type").asText().equals("response.output_text.delta"))
                        .map(f -> f.path("delta").asText()).collect(Collectors.joining());
            }
            await().atMost(WAIT).pollInterval(Duration.ofMillis(20))
                    .until(() -> !AuditBroker.records(dir, "session closed").isEmpty());
        }
        assertFalse(answer.isBlank(), "the simulator answered");
        JsonNode opened = only(dir, "session opened");
        assertEquals("acme", opened.path("tenant").asText());
        assertEquals("acme-key", opened.path("key_id").asText());
        assertEquals(sessionId, opened.path("session_id").asText());
        JsonNode started = only(dir, "response started");
        assertEquals("allow", started.path("decision").asText());
        String responseId = started.path("response_id").asText();
        assertFalse(responseId.isEmpty(), started::toString);
        JsonNode ended = only(dir, "response ended");
        assertEquals(responseId, ended.path("response_id").asText());
        assertEquals(sessionId, ended.path("session_id").asText());
        assertEquals("completed", ended.path("status").asText(), ended::toString);
        assertTrue(ended.path("output_tokens").asLong() > 0, ended::toString);
        assertEquals("simulator", ended.path("provider").asText(), ended::toString);
        assertEquals(sessionId, only(dir, "session closed").path("session_id").asText());
        assertTrue(only(dir, "config loaded").path("config_version").asText().matches("[0-9a-f]{64}"));

        String files = String.join("\n", AuditBroker.lines(dir));
        assertFalse(files.contains("PROMPT-SECRET-4711"), "no prompt text");
        assertFalse(files.contains(answer), "no answer text");
        assertFalse(files.contains("sk-acme-secret-1"), "no API key");
        AuditVerifier.Result verified = AuditVerifier.verify(dir);
        assertEquals(0, verified.exitCode(), verified.output());
        assertTrue(verified.output().contains(AuditBroker.lines(dir).size() + " records in 1 file"),
                verified.output());
    }

    @Test
    void a_bad_key_and_a_rate_limited_request_write_refused_records() throws Exception {
        Path dir = tmp.resolve("audit");
        try (AuditBroker broker = AuditBroker.start(AuditBroker.yaml(dir, "closed", TENANTS), NOON)) {
            assertEquals(401, broker.post("sk-wrong", AuditBroker.chat("hello")).statusCode());
            assertEquals(200, broker.post("sk-paced-secret", AuditBroker.chat("one")).statusCode());
            HttpResponse<String> limited = broker.post("sk-paced-secret", AuditBroker.chat("two"));
            assertEquals(429, limited.statusCode(), limited.body());
            await().atMost(WAIT).pollInterval(Duration.ofMillis(20))
                    .until(() -> !AuditBroker.records(dir, "limit exceeded").isEmpty()
                            && !AuditBroker.records(dir, "response refused").isEmpty());
        }
        JsonNode badKey = only(dir, "session refused");
        assertEquals("deny", badKey.path("decision").asText());
        assertEquals("invalid_api_key", badKey.path("reason").asText());
        assertEquals("", badKey.path("key_id").asText());
        JsonNode refused = only(dir, "response refused");
        assertEquals("paced", refused.path("tenant").asText());
        assertEquals("paced-key", refused.path("key_id").asText());
        assertEquals("rate_limit_exceeded", refused.path("reason").asText());
        JsonNode limit = only(dir, "limit exceeded");
        assertEquals("requests_per_minute", limit.path("limit").asText(), limit::toString);
        assertFalse(String.join("\n", AuditBroker.lines(dir)).contains("sk-wrong"), "no presented key");
        assertEquals(0, AuditVerifier.verify(dir).exitCode());
    }

    @Test
    void the_chain_links_across_days_and_a_restarted_broker_continues_it() throws Exception {
        Path dir = tmp.resolve("audit");
        MovableClock clock = new MovableClock(Instant.parse("2026-12-04T23:59:00Z"));
        try (AuditBroker broker = AuditBroker.start(AuditBroker.yaml(dir, "closed", TENANTS), clock)) {
            assertEquals(200, broker.post("sk-acme-secret-1", AuditBroker.chat("day one")).statusCode());
            await().atMost(WAIT).until(() -> !AuditBroker.records(dir, "response ended").isEmpty());
            clock.set(Instant.parse("2026-12-05T00:01:00Z"));
            assertEquals(200, broker.post("sk-acme-secret-1", AuditBroker.chat("day two")).statusCode());
        }
        List<Path> files = DayFiles.list(dir);
        assertEquals(List.of("audit-2026-12-04.jsonl", "audit-2026-12-05.jsonl"),
                files.stream().map(f -> f.getFileName().toString()).toList());
        List<String> dayOne = Files.readAllLines(files.get(0), StandardCharsets.UTF_8);
        String lastOfDayOne = Chain.statedHash(dayOne.get(dayOne.size() - 1)).orElseThrow();
        JsonNode firstOfDayTwo = RealtimeClient.JSON.readTree(Files.readAllLines(files.get(1)).get(0));
        assertEquals(lastOfDayOne, firstOfDayTwo.path("prev_hash").asText());
        int before = AuditBroker.lines(dir).size();

        try (AuditBroker restarted = AuditBroker.start(AuditBroker.yaml(dir, "closed", TENANTS), clock)) {
            assertEquals(200, restarted.post("sk-acme-secret-1", AuditBroker.chat("again")).statusCode());
        }
        int after = AuditBroker.lines(dir).size();
        assertTrue(after > before + 1, before + " then " + after);
        AuditVerifier.Result verified = AuditVerifier.verify(dir);
        assertEquals(0, verified.exitCode(), verified.output());
        assertTrue(verified.output().contains(after + " records in 2 files"), verified.output());
    }

    private static JsonNode only(Path dir, String event) throws Exception {
        List<JsonNode> found = AuditBroker.records(dir, event);
        assertEquals(1, found.size(), () -> event + ": " + found);
        return found.get(0);
    }
}
