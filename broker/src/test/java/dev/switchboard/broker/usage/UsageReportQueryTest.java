package dev.switchboard.broker.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import dev.switchboard.broker.MovableClock;

/** The report query's answers to bad and absent parameters, through a real broker's {@code usageReport()}. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class UsageReportQueryTest {
    private static UsageBroker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = UsageBroker.start("""
                simulator: {enabled: true}
                tenants:
                  acme: {keys: [k-acme], models: ["*"]}
                """, new MovableClock(Instant.parse("2026-12-04T08:00:00Z")));
    }

    @AfterAll
    static void stop() throws Exception {
        broker.close();
    }

    private static String bad(String from, String to, String groupBy) {
        UsageReport.Result result = broker.broker.usageReport().query("acme", from, to, groupBy);
        return assertInstanceOf(UsageReport.BadQuery.class, result, result::toString).message();
    }

    @Test
    void without_parameters_the_report_covers_the_last_seven_days_grouped_by_model() {
        JsonNode body = broker.report("acme", null, null, null);
        assertEquals("2026-11-28", body.path("from").asText());
        assertEquals("2026-12-04", body.path("to").asText());
        assertEquals("model", body.path("group_by").asText());
        assertEquals(0, body.path("rows").size());
        assertEquals(List.of("requests", "input_tokens", "output_tokens", "cached_tokens", "audio_input_tokens",
                "audio_output_tokens", "cost_usd", "refusals"), fieldNames(body.path("totals")));
        assertEquals(0, body.path("totals").path("cost_usd").decimalValue().signum());
        JsonNode blank = broker.report("acme", " ", "", "");
        assertEquals(body, blank);
        assertEquals("2026-12-01", broker.report("acme", null, "2026-12-07", "day").path("from").asText());
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void an_unknown_tenant_is_its_own_answer() {
        UsageReport.Result result = broker.broker.usageReport().query("nobody", null, null, null);
        UsageReport.UnknownTenant unknown = assertInstanceOf(UsageReport.UnknownTenant.class, result);
        assertEquals("tenant 'nobody' does not exist", unknown.message());
    }

    @Test
    void dates_must_be_real_utc_days_written_yyyy_mm_dd() {
        assertEquals("from must be a UTC date written YYYY-MM-DD (e.g. 2026-12-04) but was '2026-02-30'",
                bad("2026-02-30", null, null));
        assertEquals("to must be a UTC date written YYYY-MM-DD (e.g. 2026-12-04) but was '12/04/2026'",
                bad(null, "12/04/2026", null));
        assertEquals("from must be a UTC date written YYYY-MM-DD (e.g. 2026-12-04) but was '2026-1-5'",
                bad("2026-1-5", null, null));
        String message = bad("x".repeat(500), null, null);
        assertEquals("from must be a UTC date written YYYY-MM-DD (e.g. 2026-12-04) but was '" + "x".repeat(40)
                + "…'", message);
    }

    @Test
    void from_after_to_and_ranges_longer_than_the_retention_are_refused() {
        assertEquals("from (2026-12-05) must not be after to (2026-12-04)", bad("2026-12-05", "2026-12-04", null));
        assertEquals("from 2025-10-30 to 2026-12-04 is 401 days; a report covers at most 400 (usage.retention_days, "
                + "the days the ledger keeps)", bad("2025-10-30", "2026-12-04", null));
        assertEquals("2025-10-31", broker.report("acme", "2025-10-31", "2026-12-04", "day").path("from").asText());
    }

    @Test
    void group_by_is_model_key_or_day() {
        assertEquals("group_by must be one of model, key, day but was 'tenant'", bad(null, null, "tenant"));
        assertEquals("group_by must be one of model, key, day but was 'Model'", bad(null, null, "Model"));
        for (String group : List.of("model", "key", "day")) {
            assertEquals(group, broker.report("acme", null, null, group).path("group_by").asText());
        }
    }
}
