package dev.switchboard.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.loadtest.report.HtmlReport;
import dev.switchboard.loadtest.report.JsonReport;
import dev.switchboard.loadtest.report.Summary;
import dev.switchboard.loadtest.report.TextReport;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ReportTest {

    private static Summary summary(Map<String, Long> errors) {
        return summary(errors, Optional.empty(), Optional.empty());
    }

    private static Summary summary(Map<String, Long> errors, Optional<Summary.ResumeStats> resume,
                                   Optional<Summary.SlowConsumerStats> slow) {
        return summary(errors, resume, slow, Summary.Refusals.NONE);
    }

    private static Summary summary(Map<String, Long> errors, Optional<Summary.ResumeStats> resume,
                                   Optional<Summary.SlowConsumerStats> slow, Summary.Refusals refusals) {
        Summary.LatencyStats ttft = new Summary.LatencyStats(3, 2, 1, 2, 3, 3, 3, List.of(
                new Summary.PercentilePoint(0, 1), new Summary.PercentilePoint(50, 1),
                new Summary.PercentilePoint(100, 3)));
        return new Summary("chat", 2, 1.0, 1.5, Settings.parse("--sessions", "2").describe(),
                List.of("--sessions", "2"), 2, Map.of("completed", 3L), Map.of(), Map.of(), refusals, errors,
                Map.of("closed_4008", "the broker closed <the> connection"), Map.of("gaps", 0L), 10, 10.0,
                Map.of(Summary.TTFT, ttft), new Summary.StampInfo("auto", false, 0, 0, "n/a"), Optional.empty(),
                resume, slow, List.of(new Summary.TimelinePoint(1, 2, 10, 3, 0, Summary.Window.EMPTY,
                        Summary.Window.EMPTY, Summary.Window.EMPTY)), List.of("a <warning>"),
                errors.isEmpty() ? 0 : 1);
    }

    private static final Summary.ResumeStats RESUME = new Summary.ResumeStats("backlog", 260, 19, 19,
            new Summary.CountStats(19, 1203, 1203, 1203, 1203, 1203, 22857), 1000, 18, 1, 107, 0, 100, 0, 7);

    private static final Summary.SlowConsumerStats SLOW = new Summary.SlowConsumerStats(0.2, 2, 20, 2, 1, 1, 0, 0, 2,
            142_000_000, 167_000_000, 160_000_000, List.of(new Summary.BrokerPoint(1.1, 150_000_000, 0),
                    new Summary.BrokerPoint(2.1, 167_000_000, 2)), "http://127.0.0.1:1/metrics");

    @Test
    void the_resume_and_slow_consumer_sections_are_in_every_view() {
        Summary s = summary(Map.of(), Optional.of(RESUME), Optional.of(SLOW));

        JsonNode json = JsonReport.toJson(s);
        JsonNode resume = json.path("resume");
        assertEquals("backlog", resume.path("mode").asText());
        assertEquals(19, resume.path("resumed").asLong());
        assertEquals(22857, resume.path("replayed_events").path("total").asLong());
        assertEquals(1000, resume.path("backlog").path("events").asLong());
        assertEquals(7, resume.path("text").path("reference_unverified").asLong());
        JsonNode slow = json.path("slow_consumer");
        assertEquals(1, slow.path("closed_4008").asLong());
        assertEquals(1, slow.path("closed_abruptly").asLong());
        assertEquals(167_000_000, slow.path("heap_max_bytes").asLong());
        assertEquals(2, slow.path("broker_samples").size());
        assertEquals(2, slow.path("broker_samples").get(1).path("slow_consumer_closed").asLong());

        String text = TextReport.render(s);
        assertTrue(text.contains("backlog mode, offline 260 ms: 19 disconnects, 19 resumed"), text);
        assertTrue(text.contains("1,000 missed events: 18 resumes timed, 1 replayed fewer"), text);
        assertTrue(text.contains("closed 4008 1, cut 1"), text);
        assertTrue(text.contains("max 167.0 MB"), text);
        assertTrue(text.contains("first slow-consumer close was counted by the sample at 2.1 s"), text);

        String html = HtmlReport.render(s);
        assertTrue(html.contains("Broker heap"), "the heap chart");
        assertTrue(html.contains("19 disconnects"));
    }

    @Test
    void refusals_and_budget_cuts_are_in_every_view_and_are_not_errors() {
        Summary s = summary(Map.of(), Optional.empty(), Optional.empty(), new Summary.Refusals(40, 3, 2, 17));

        JsonNode json = JsonReport.toJson(s);
        assertEquals(40, json.path("refusals").path("rate_limit_exceeded").asLong());
        assertEquals(3, json.path("refusals").path("insufficient_quota").asLong());
        assertEquals(2, json.path("responses_cut_by_budget").asLong());
        assertEquals(17, json.path("rate_limits_updated").asLong());
        assertEquals(0, json.path("errors").asLong());
        assertEquals(0, json.path("exit_code").asInt());

        String text = TextReport.render(s);
        assertTrue(text.contains("rate_limit_exceeded 40  insufficient_quota 3; responses cut by a budget 2; "
                + "rate_limits.updated 17 (not errors)"), text);
        assertTrue(text.contains("result: OK"), text);

        String html = HtmlReport.render(s);
        assertTrue(html.contains("rate_limit_exceeded 40, insufficient_quota 3"), "the refusals row");
        assertTrue(html.contains("responses cut by a budget</td><td style=\"text-align:left\">2<"), html);
    }

    @Test
    void a_run_without_guardrails_reports_zero_refusals_and_no_text_line() {
        Summary s = summary(Map.of());

        JsonNode json = JsonReport.toJson(s);
        assertEquals(0, json.path("refusals").path("rate_limit_exceeded").asLong());
        assertTrue(json.path("refusals").path("insufficient_quota").isNumber());
        assertEquals(0, json.path("responses_cut_by_budget").asLong());
        assertFalse(TextReport.render(s).contains("refusals"));
    }

    @Test
    void other_scenarios_have_no_resume_or_slow_consumer_section() {
        JsonNode json = JsonReport.toJson(summary(Map.of()));
        assertFalse(json.has("resume"));
        assertFalse(json.has("slow_consumer"));
    }

    @Test
    void an_empty_distribution_still_has_every_contract_number() {
        JsonNode json = JsonReport.toJson(summary(Map.of()));
        for (String name : List.of(Summary.BROKER_TTFT, Summary.INTER_DELTA, Summary.CANCEL_ACK)) {
            for (String field : List.of("count", "p50", "p90", "p99", "max")) {
                assertEquals(0, json.path(name).path(field).asDouble(), name + "." + field);
                assertTrue(json.path(name).path(field).isNumber(), name + "." + field);
            }
        }
        assertEquals(3, json.path(Summary.TTFT).path("p99").asDouble());
        assertEquals(0, json.path("errors").asLong());
        assertEquals(0, json.path("seq_gaps").asLong());
        assertEquals(1, json.path("timeline").size());
    }

    @Test
    void the_html_page_escapes_text_and_loads_nothing() {
        String html = HtmlReport.render(summary(Map.of("closed_4008", 2L)));
        assertTrue(html.contains("&lt;the&gt;"));
        assertTrue(html.contains("a &lt;warning&gt;"));
        assertFalse(html.contains("<script"));
        assertFalse(html.contains("src="));
        assertFalse(html.contains("<link"));
        assertTrue(html.contains("<svg"));
    }

    @Test
    void the_table_shows_errors_with_their_first_message_and_the_result() {
        String text = TextReport.render(summary(Map.of("closed_4008", 2L)));
        assertTrue(text.contains("closed_4008"));
        assertTrue(text.contains("the broker closed <the> connection"));
        assertTrue(text.contains("result: FAILED (exit 1)"));
    }
}
