package dev.switchboard.broker.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.MovableClock;
import dev.switchboard.broker.RealtimeClient;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, usage reporting, through a real broker: responses served over every transport — WebSocket sessions
 * bridged to the simulator's SSE, HTTP chat completions streamed and not, the simulator's Realtime relay and a
 * Realtime provider that reports cached and audio tokens — are added up client-side from the usage each answer
 * carried, and the report's totals must equal that sum, token for token, with the cost at the configured prices.
 * Grouping by model, key or day must partition the same totals.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class UsageReportEndToEndTest {
    private static final String YAML = """
            simulator: {enabled: true}
            providers:
              metered: {kind: openai-realtime, base_url: "ws://127.0.0.1:%d/v1"}
            models:
              rt-metered: {route: [metered/rt-model]}
            prices:
              sim-chat: {input: 0.5, output: 1.5}
              rt-metered: {input: 2, output: 4, cached_input: 1, audio_input: 40, audio_output: 80}
            tenants:
              acme:
                keys: [{key: k-acme-1, id: one}, {key: k-acme-2, id: two}]
                models: [sim-chat, sim-realtime, rt-metered]
              other: {keys: [k-other], models: ["*"]}
            """;
    private static final String DAY_ONE = "2026-12-04";
    private static final String DAY_TWO = "2026-12-05";

    private MeteredRealtimeProvider provider;
    private UsageBroker broker;
    private final MovableClock clock = new MovableClock(Instant.parse(DAY_ONE + "T23:00:00Z"));
    private final List<Served> served = new ArrayList<>();

    /** One answer as the client saw it: where it belongs in the report and the usage it carried. */
    private record Served(String model, String key, String day, JsonNode usage) {
        long field(String name) {
            return switch (name) {
                case "requests" -> 1;
                case "input_tokens", "output_tokens" -> usage.path(name).asLong();
                case "cached_tokens" -> usage.path("input_token_details").path("cached_tokens").asLong();
                case "audio_input_tokens" -> usage.path("input_token_details").path("audio_tokens").asLong();
                case "audio_output_tokens" -> usage.path("output_token_details").path("audio_tokens").asLong();
                default -> 0;
            };
        }

        /** The cost at the test's own copy of the prices, in USD (cached and audio tokens are part of the totals). */
        double costUsd() {
            long in = field("input_tokens");
            long cached = field("cached_tokens");
            long audioIn = field("audio_input_tokens");
            long out = field("output_tokens");
            long audioOut = field("audio_output_tokens");
            double perMillion = model.equals("sim-chat") ? in * 0.5 + out * 1.5
                    : model.equals("rt-metered") ? (in - cached - audioIn) * 2 + cached * 1 + audioIn * 40
                    + (out - audioOut) * 4 + audioOut * 80 : 0;
            return perMillion / 1_000_000;
        }
    }

    private static final List<String> COUNTS = List.of("requests", "input_tokens", "output_tokens", "cached_tokens",
            "audio_input_tokens", "audio_output_tokens");

    @BeforeEach
    void start() throws Exception {
        provider = new MeteredRealtimeProvider();
        broker = UsageBroker.start(YAML.formatted(provider.port()), clock);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            broker.close();
        } finally {
            provider.close();
        }
    }

    @Test
    void the_totals_equal_the_usage_the_provider_reported_on_every_transport_and_each_grouping_partitions_them()
            throws Exception {
        try (RealtimeClient session = broker.connect("k-acme-1", "sim-chat")) {
            for (int tokens : new int[] {5, 8, 13}) {
                served.add(new Served("sim-chat", "one", DAY_ONE, UsageBroker.respond(session, tokens).path("usage")));
            }
        }
        served.add(new Served("sim-chat", "two", DAY_ONE, broker.chatUsage("k-acme-2", "sim-chat", 7, false)));
        served.add(new Served("sim-chat", "two", DAY_ONE, broker.chatUsage("k-acme-2", "sim-chat", 9, true)));
        // Past midnight UTC: the rest lands on the next day.
        clock.advance(Duration.ofHours(2));
        try (RealtimeClient relayed = broker.connect("k-acme-1", "sim-realtime")) {
            for (int tokens : new int[] {6, 4}) {
                served.add(new Served("sim-realtime", "one", DAY_TWO, UsageBroker.respond(relayed, tokens)
                        .path("usage")));
            }
        }
        try (RealtimeClient metered = broker.connect("k-acme-2", "rt-metered")) {
            for (int i = 0; i < 2; i++) {
                served.add(new Served("rt-metered", "two", DAY_TWO, UsageBroker.respond(metered, 1).path("usage")));
            }
        }
        broker.chatUsage("k-other", "sim-chat", 11, false);
        assertTrue(served.stream().allMatch(s -> s.field("output_tokens") > 0 && s.field("input_tokens") > 0),
                served::toString);
        assertTrue(served.stream().anyMatch(s -> s.field("cached_tokens") > 0 && s.field("audio_input_tokens") > 0
                && s.field("audio_output_tokens") > 0), "the metered provider reports every kind of token");

        JsonNode byModel = broker.report("acme", DAY_ONE, DAY_TWO, "model");
        assertEquals("acme", byModel.path("tenant").asText());
        assertEquals(DAY_ONE, byModel.path("from").asText());
        assertEquals(DAY_TWO, byModel.path("to").asText());
        assertEquals("model", byModel.path("group_by").asText());
        assertMatches(byModel, "model", Served::model);
        assertMatches(broker.report("acme", DAY_ONE, DAY_TWO, "key"), "key", Served::key);
        assertMatches(broker.report("acme", DAY_ONE, DAY_TWO, "day"), "day", Served::day);

        // One day only, and the other tenant only: nothing of acme's.
        JsonNode firstDay = broker.report("acme", DAY_ONE, DAY_ONE, "day");
        assertEquals(1, firstDay.path("rows").size(), firstDay::toString);
        assertEquals(5, firstDay.path("totals").path("requests").asLong());
        JsonNode other = broker.report("other", DAY_ONE, DAY_TWO, "model");
        assertEquals(1, other.path("totals").path("requests").asLong(), other::toString);
        assertEquals(0, other.path("totals").path("refusals").asLong(), other::toString);
    }

    /** The report's rows are the client-side sums grouped by {@code group}, and its totals are the whole sum. */
    private void assertMatches(JsonNode report, String field, Function<Served, String> group) {
        Map<String, List<Served>> expected = new TreeMap<>();
        served.forEach(s -> expected.computeIfAbsent(group.apply(s), g -> new ArrayList<>()).add(s));
        JsonNode rows = report.path("rows");
        assertEquals(expected.size(), rows.size(), report::toString);
        int i = 0;
        for (Map.Entry<String, List<Served>> e : expected.entrySet()) {
            JsonNode row = rows.get(i++);
            assertEquals(e.getKey(), row.path(field).asText(), report::toString);
            assertSums(e.getValue(), row, report);
        }
        assertSums(served, report.path("totals"), report);
        // The rows partition the totals, to the nano-dollar.
        for (String count : COUNTS) {
            long sum = 0;
            for (JsonNode row : rows) {
                sum += row.path(count).asLong();
            }
            assertEquals(report.path("totals").path(count).asLong(), sum, count);
        }
        BigDecimal cost = BigDecimal.ZERO;
        for (JsonNode row : rows) {
            cost = cost.add(row.path("cost_usd").decimalValue());
        }
        assertEquals(0, cost.compareTo(report.path("totals").path("cost_usd").decimalValue()), report::toString);
    }

    private static void assertSums(List<Served> answers, JsonNode counted, JsonNode report) {
        for (String count : COUNTS) {
            assertEquals(answers.stream().mapToLong(s -> s.field(count)).sum(), counted.path(count).asLong(),
                    () -> count + " in " + report);
        }
        double cost = answers.stream().mapToDouble(Served::costUsd).sum();
        assertEquals(cost, counted.path("cost_usd").asDouble(), 1e-9 * answers.size(), () -> "cost in " + report);
        assertEquals(0, counted.path("refusals").asLong(), () -> "refusals in " + report);
    }

    @Test
    void the_report_body_writes_costs_as_plain_decimals() throws Exception {
        broker.chatUsage("k-acme-2", "sim-chat", 1, false);
        UsageReport.Result result = broker.broker.usageReport().query("acme", null, null, null);
        String json = ((UsageReport.Report) result).json();
        assertFalse(json.contains("E-"), json);
        JsonNode body = RealtimeClient.JSON.readTree(json);
        assertTrue(body.path("totals").path("cost_usd").decimalValue().signum() > 0, json);
    }

    @Test
    void a_relayed_response_the_broker_cut_counts_once_with_the_providers_count_that_arrives_after_the_cut()
            throws Exception {
        try (RealtimeClient metered = broker.connect("k-acme-1", "rt-metered")) {
            metered.send("{\"type\":\"response.create\",\"response\":{\"instructions\":\"hold\"}}");
            metered.until("response.output_text.delta");
            metered.send("{\"type\":\"response.cancel\"}");
            List<JsonNode> cut = metered.until("response.done");
            JsonNode done = cut.get(cut.size() - 1).path("response");
            assertEquals("cancelled", done.path("status").asText(), done::toString);
            assertTrue(done.path("usage").isNull(), done::toString);
            // The provider's own response.done (its count) follows the cut and is not relayed; the next answer is.
            served.add(new Served("rt-metered", "one", DAY_ONE, RealtimeClient.JSON.readTree(
                    MeteredRealtimeProvider.CUT_USAGE.json())));
            served.add(new Served("rt-metered", "one", DAY_ONE, UsageBroker.respond(metered, 1).path("usage")));
        }
        assertMatches(broker.report("acme", DAY_ONE, DAY_ONE, "model"), "model", Served::model);
    }
}
