package dev.switchboard.broker.guardrail;

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
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, "spend survives a restart", through real brokers: a month's token spend and a minute's request count
 * kept in {@code usage.dir} are still counted by the next broker started on that directory. The clock is fixed
 * (the same instant for both brokers), so the restart happens "between two responses" of the same minute and only
 * the file can carry the counts across.
 *
 * <p>What a crash can lose: the file is written every {@code usage.flush_interval} (at most 1 s) and at shutdown,
 * each time whole (a temporary file and an atomic rename). A crash skips the shutdown write, so the usage counted
 * since the last periodic write — at most one flush interval of it — is lost, and a tenant may get that much more
 * after the restart; everything counted before that write survives.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class UsagePersistenceTest {
    private static final InstantSource CLOCK = InstantSource.fixed(Instant.parse("2026-12-04T12:00:00Z"));
    private static final String YAML = """
            simulator: {enabled: true}
            usage: {dir: "%s", flush_interval: 200ms}
            tenants:
              budgeted: {keys: [k-budget], models: ["*"], budgets: [{period: month, tokens: 50}]}
              paced: {keys: [k-paced], models: ["*"], limits: {requests_per_minute: 1}}
            """;
    private static final String SPEND = "b/budgeted/0/m2026-12";
    private static final String REQUESTS = "rpm/t/paced";

    @TempDir
    Path dir;

    private static GuardrailBroker start(Path usageDir) throws Exception {
        return GuardrailBroker.start(YAML.formatted(usageDir), CLOCK, store -> store);
    }

    @Test
    void a_spent_budget_and_a_taken_request_are_still_counted_after_a_restart_on_the_same_usage_dir()
            throws Exception {
        try (GuardrailBroker first = start(dir)) {
            // 200 tokens against a budget of 50: the stream is cut once the budget is spent.
            HttpResponse<String> cut = first.post("k-budget", GuardrailBroker.chat("sim-chat", 200, true));
            assertEquals(200, cut.statusCode(), cut.body());
            assertTrue(cut.body().contains("insufficient_quota"), cut.body());
            assertEquals(200, first.post("k-paced", GuardrailBroker.chat("sim-chat", 3, false)).statusCode());
        }
        // The first broker wrote the usage file at shutdown.
        try (GuardrailBroker second = start(dir)) {
            HttpResponse<String> spent = second.post("k-budget", GuardrailBroker.chat("sim-chat", 3, false));
            assertEquals(429, spent.statusCode(), spent.body());
            assertEquals("insufficient_quota", code(spent.body()), spent.body());
            HttpResponse<String> paced = second.post("k-paced", GuardrailBroker.chat("sim-chat", 3, false));
            assertEquals(429, paced.statusCode(), paced.body());
            assertEquals("rate_limit_exceeded", code(paced.body()), paced.body());
        }
    }

    @Test
    void the_usage_file_is_written_every_flush_interval_while_the_broker_runs_so_a_crash_loses_at_most_that(
            @TempDir Path crashed) throws Exception {
        Path file = dir.resolve(UsageFile.NAME);
        try (GuardrailBroker running = start(dir)) {
            assertEquals(200, running.post("k-budget", GuardrailBroker.chat("sim-chat", 3, false)).statusCode());
            assertEquals(200, running.post("k-paced", GuardrailBroker.chat("sim-chat", 3, false)).statusCode());
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                    .until(() -> {
                        JsonNode usage = RealtimeClient.JSON.readTree(file.toFile());
                        return usage.path("spend").path(SPEND).asLong() > 0 && usage.path("rates").has(REQUESTS);
                    });
            // A crash now: the file as the periodic write left it (each write is whole: a rename) is all the next
            // broker gets. It is copied while the first broker still runs, so no shutdown write is in it.
            Files.copy(file, crashed.resolve(UsageFile.NAME));
        }
        try (GuardrailBroker afterCrash = start(crashed)) {
            HttpResponse<String> paced = afterCrash.post("k-paced", GuardrailBroker.chat("sim-chat", 3, false));
            assertEquals(429, paced.statusCode(), paced.body());
            assertEquals("rate_limit_exceeded", code(paced.body()), paced.body());
        }
    }

    private static String code(String body) throws Exception {
        return RealtimeClient.JSON.readTree(body).path("error").path("code").asText();
    }
}
