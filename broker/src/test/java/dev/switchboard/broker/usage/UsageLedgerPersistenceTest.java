package dev.switchboard.broker.usage;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.MovableClock;
import dev.switchboard.broker.RealtimeClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ledger kept in {@code usage.dir}: written while the broker runs and at shutdown, loaded by the next broker on
 * the same directory, pruned past {@code usage.retention_days}; a file it cannot read stops the start and is left
 * as it was.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class UsageLedgerPersistenceTest {
    private static final String TODAY = "2026-12-04";
    private static final String YAML = """
            simulator: {enabled: true}
            usage: {dir: "%s", flush_interval: 200ms, retention_days: %d}
            prices:
              sim-chat: {input: 0.5, output: 1.5}
            tenants:
              acme: {keys: [{key: k-acme, id: one}], models: ["*"]}
            """;

    @TempDir
    Path dir;

    private UsageBroker start(int retentionDays) throws Exception {
        return UsageBroker.start(YAML.formatted(dir, retentionDays), new MovableClock(Instant.parse(TODAY
                + "T12:00:00Z")));
    }

    private Path dayFile(String day) {
        return dir.resolve("ledger").resolve(day + ".json");
    }

    @Test
    void a_restart_on_the_same_usage_dir_keeps_the_history_and_adds_to_it() throws Exception {
        JsonNode before;
        JsonNode added;
        try (UsageBroker first = start(400)) {
            first.chatUsage("k-acme", "sim-chat", 5, false);
            first.chatUsage("k-acme", "sim-chat", 7, true);
            try (RealtimeClient session = first.connect("k-acme", "sim-chat")) {
                UsageBroker.respond(session, 3);
            }
            before = first.report("acme", null, null, "model");
            assertEquals(3, before.path("totals").path("requests").asLong(), before::toString);
        }
        try (UsageBroker second = start(400)) {
            assertEquals(before, second.report("acme", null, null, "model"));
            added = second.chatUsage("k-acme", "sim-chat", 4, false);
            JsonNode after = second.report("acme", null, null, "model").path("totals");
            assertEquals(4, after.path("requests").asLong(), after::toString);
            assertEquals(before.path("totals").path("output_tokens").asLong() + added.path("output_tokens").asLong(),
                    after.path("output_tokens").asLong(), after::toString);
        }
    }

    @Test
    void the_ledger_is_written_every_flush_interval_while_the_broker_runs() throws Exception {
        try (UsageBroker running = start(400)) {
            running.chatUsage("k-acme", "sim-chat", 5, false);
            running.chatUsage("k-acme", "sim-chat", 5, false);
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                    .until(() -> RealtimeClient.JSON.readTree(dayFile(TODAY).toFile()).path("rows").get(0)
                            .path("requests").asLong() == 2);
            JsonNode row = RealtimeClient.JSON.readTree(dayFile(TODAY).toFile()).path("rows").get(0);
            assertEquals("acme", row.path("tenant").asText());
            assertEquals("sim-chat", row.path("model").asText());
            assertEquals("one", row.path("key").asText());
            assertTrue(row.path("cost_nano_usd").asLong() > 0, row::toString);
        }
    }

    @Test
    void a_ledger_file_that_cannot_be_read_stops_the_start_and_is_left_as_it_was() throws Exception {
        Files.createDirectories(dayFile(TODAY).getParent());
        byte[] corrupt = "{\"version\":1,\"rows\":[{\"tenant\":\"acme\"".getBytes(StandardCharsets.UTF_8);
        Files.write(dayFile(TODAY), corrupt);
        IOException refused = assertThrows(IOException.class, () -> start(400).close());
        assertTrue(refused.getMessage().contains(dayFile(TODAY).toString()), refused.getMessage());
        assertTrue(refused.getMessage().contains("cannot be read"), refused.getMessage());
        assertArrayEquals(corrupt, Files.readAllBytes(dayFile(TODAY)));

        Files.writeString(dayFile(TODAY), "{\"version\":1,\"rows\":[{\"tenant\":\"acme\",\"model\":\"m\","
                + "\"key\":\"k\",\"requests\":-1}]}");
        IOException negative = assertThrows(IOException.class, () -> start(400).close());
        assertTrue(negative.getMessage().contains("rows[0].requests must be an integer >= 0"), negative.getMessage());
    }

    @Test
    void days_past_the_retention_are_dropped_and_their_files_deleted() throws Exception {
        Files.createDirectories(dayFile(TODAY).getParent());
        String row = "{\"version\":1,\"rows\":[{\"tenant\":\"acme\",\"model\":\"sim-chat\",\"key\":\"one\","
                + "\"requests\":%d,\"input_tokens\":10,\"output_tokens\":20,\"cached_tokens\":0,"
                + "\"audio_input_tokens\":0,\"audio_output_tokens\":0,\"cost_nano_usd\":35000,\"refusals\":1}]}";
        // Three days are kept: 2026-12-02 to 2026-12-04.
        Files.writeString(dayFile("2026-12-01"), row.formatted(5));
        Files.writeString(dayFile("2026-12-02"), row.formatted(7));
        try (UsageBroker broker = start(3)) {
            JsonNode kept = broker.report("acme", "2026-12-02", TODAY, "day");
            assertEquals(1, kept.path("rows").size(), kept::toString);
            assertEquals("2026-12-02", kept.path("rows").get(0).path("day").asText());
            assertEquals(7, kept.path("totals").path("requests").asLong());
            assertEquals(0.000035, kept.path("totals").path("cost_usd").asDouble(), 1e-12);
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                    .until(() -> !Files.exists(dayFile("2026-12-01")));
            assertTrue(Files.exists(dayFile("2026-12-02")));
            UsageReport.Result tooLong = broker.broker.usageReport().query("acme", "2026-12-01", TODAY, "day");
            assertTrue(assertInstanceOf(UsageReport.BadQuery.class, tooLong).message()
                    .contains("at most 3"), tooLong::toString);
        }
        assertFalse(Files.exists(dayFile("2026-12-01")));
    }
}
