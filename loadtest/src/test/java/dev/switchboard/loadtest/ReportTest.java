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
        Summary.LatencyStats ttft = new Summary.LatencyStats(3, 2, 1, 2, 3, 3, 3, List.of(
                new Summary.PercentilePoint(0, 1), new Summary.PercentilePoint(50, 1),
                new Summary.PercentilePoint(100, 3)));
        return new Summary("chat", 2, 1.0, 1.5, Settings.parse("--sessions", "2").describe(),
                List.of("--sessions", "2"), 2, Map.of("completed", 3L), Map.of(), Map.of(), errors,
                Map.of("closed_4008", "the broker closed <the> connection"), Map.of("gaps", 0L), 10, 10.0,
                Map.of(Summary.TTFT, ttft), new Summary.StampInfo("auto", false, 0, 0, "n/a"), Optional.empty(),
                Optional.empty(), Optional.empty(), List.of(new Summary.TimelinePoint(1, 2, 10, 3, 0, Summary.Window.EMPTY, Summary.Window.EMPTY,
                        Summary.Window.EMPTY)), List.of("a <warning>"), errors.isEmpty() ? 0 : 1);
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
