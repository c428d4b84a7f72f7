package dev.switchboard.loadtest.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * A self-contained HTML page: summary tables and inline SVG charts (TTFT and inter-delta gaps over time,
 * throughput, percentile curves). No scripts, no external fonts, stylesheets or images. Stateless and
 * thread-safe.
 */
public final class HtmlReport {
    static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
        "#17becf"};
    static final String STYLE = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;"
            + "margin:24px;color:#222;max-width:1100px}h1{font-size:20px}h2{font-size:16px;margin-top:28px}"
            + "table{border-collapse:collapse;font-size:13px;margin:8px 0}td,th{border:1px solid #ddd;"
            + "padding:3px 8px;text-align:right}th:first-child,td:first-child{text-align:left}"
            + ".ok{color:#2a7d2a}.bad{color:#b00020}svg{margin:8px 0;border:1px solid #eee}"
            + "svg .title{font-size:14px;font-weight:600}svg .axis{font-size:12px;fill:#444}"
            + "svg .tick{font-size:11px;fill:#555}svg .grid{stroke:#eee}svg .frame{fill:none;stroke:#999}"
            + "code{font-size:12px}";

    private HtmlReport() {
    }

    /** Writes the page to {@code file}, replacing it. */
    public static void write(Summary summary, Path file) throws IOException {
        Files.writeString(file, render(summary));
    }

    /** The complete HTML document. */
    public static String render(Summary s) {
        StringBuilder html = new StringBuilder(64 * 1024);
        html.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Switchboard load test: ")
                .append(escape(s.scenario())).append("</title><style>").append(STYLE).append("</style></head><body>");
        html.append("<h1>Switchboard load test: ").append(escape(s.scenario())).append("</h1>");
        html.append("<p class=\"").append(s.exitCode() == 0 ? "ok" : "bad").append("\">")
                .append(s.exitCode() == 0 ? "OK" : "FAILED").append(String.format(Locale.ROOT,
                        " (exit %d): %,d errors, %,d seq gaps. %d sessions (%d connected), %.1f s measured, "
                                + "%.1f s elapsed, %,.1f events/s.</p>", s.exitCode(), s.errors(),
                        s.seq().getOrDefault("gaps", 0L), s.sessions(), s.sessionsConnected(), s.durationS(),
                        s.elapsedS(), s.eventsPerSecond()));
        latencyTable(html, s);
        countsTable(html, s);
        charts(html, s);
        settingsTable(html, s);
        html.append("</body></html>\n");
        return html.toString();
    }

    private static void latencyTable(StringBuilder html, Summary s) {
        html.append("<h2>Latency (ms)</h2><table><tr><th>metric</th><th>count</th><th>mean</th><th>p50</th>"
                + "<th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr>");
        s.latencies().forEach((name, l) -> html.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%,d</td>"
                        + "<td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td></tr>",
                escape(name), l.count(), l.mean(), l.p50(), l.p90(), l.p99(), l.p999(), l.max())));
        html.append("</table>");
    }

    private static void countsTable(StringBuilder html, Summary s) {
        html.append("<h2>Counts</h2><table><tr><th>group</th><th>values</th></tr>");
        row(html, "responses", s.responses());
        row(html, "requests", s.requests());
        row(html, "cancels", s.cancels());
        row(html, "refusals", s.refusals().byCode());
        cell(html, "responses cut by a budget", Long.toString(s.refusals().cutByBudget()));
        cell(html, "rate_limits.updated", Long.toString(s.refusals().rateLimitsUpdated()));
        row(html, "seq", s.seq());
        html.append("<tr><td>stamps</td><td>").append(escape((s.stamps().requested() ? "on: " : "off: ")
                + s.stamps().stampedDeltas() + " stamped deltas; " + s.stamps().note())).append("</td></tr>");
        s.memory().ifPresent(m -> html.append("<tr><td>memory</td><td>").append(escape(String.format(Locale.ROOT,
                "heap %,d → %,d bytes; sessions active %d → %d; %,.0f bytes per session (%s, %s)",
                m.heapBeforeBytes(), m.heapAfterBytes(), m.sessionsActiveBefore(), m.sessionsActiveAfter(),
                m.bytesPerSession(), m.gcForced() ? "GC forced" : "no GC forced", m.settled() ? "settled"
                        : "not settled"))).append("</td></tr>"));
        s.resume().ifPresent(r -> resumeRows(html, r));
        s.brokerCpu().ifPresent(cpu -> cell(html, "broker cpu", cpu.describe()));
        s.cluster().ifPresent(c -> ClusterReport.lines(c).forEach(e -> cell(html, e.getKey(), e.getValue())));
        s.slowConsumer().ifPresent(slow -> cell(html, "slow consumers", String.format(Locale.ROOT,
                "%d slow sessions (share %.2f): paused %d, closed 4008 %d, cut %d, closed otherwise %d, still "
                        + "open %d; broker counted %s; broker heap before %s, max %s, last %s",
                slow.slowSessions(), slow.share(), slow.paused(), slow.closedSlowConsumer(), slow.closedAbruptly(),
                slow.closedOther(),
                slow.notClosed(), slow.brokerSlowConsumerClosed() < 0 ? "n/a" : slow.brokerSlowConsumerClosed(),
                TextReport.megabytes(slow.heapBeforeBytes()), TextReport.megabytes(slow.heapMaxBytes()),
                TextReport.megabytes(slow.heapLastBytes()))));
        html.append("</table>");
        html.append("<h2>Errors</h2>");
        if (s.errorsByCode().isEmpty()) {
            html.append("<p class=\"ok\">none</p>");
        } else {
            html.append("<table><tr><th>code</th><th>count</th><th>first message</th></tr>");
            s.errorsByCode().forEach((code, count) -> html.append("<tr><td>").append(escape(code))
                    .append("</td><td>").append(count).append("</td><td style=\"text-align:left\">")
                    .append(escape(s.errorSamples().getOrDefault(code, ""))).append("</td></tr>"));
            html.append("</table>");
        }
        for (String warning : s.warnings()) {
            html.append("<p>warning: ").append(escape(warning)).append("</p>");
        }
    }

    private static void resumeRows(StringBuilder html, Summary.ResumeStats r) {
        Summary.CountStats replayed = r.replayedEvents();
        cell(html, "resume", String.format(Locale.ROOT, "%s mode, offline %.0f ms: %,d disconnects, %,d resumed; "
                        + "events replayed per resume p50 %,d, p99 %,d, max %,d, total %,d", r.mode(), r.offlineMs(),
                r.disconnects(), r.resumed(), replayed.p50(), replayed.p99(), replayed.max(), replayed.total()));
        if (r.backlogEvents() > 0) {
            cell(html, "backlog", String.format(Locale.ROOT, "%,d missed events: %,d resumes timed, %,d replayed "
                    + "fewer", r.backlogEvents(), r.backlogMeasured(), r.backlogShort()));
        }
        cell(html, "text", String.format(Locale.ROOT, "deltas vs done: checked %,d, mismatches %,d; vs "
                        + "uninterrupted: checked %,d, mismatches %,d, unverified %,d", r.textChecked(),
                r.textMismatches(), r.referenceChecked(), r.referenceMismatches(), r.referenceUnverified()));
    }

    private static void cell(StringBuilder html, String name, String value) {
        html.append("<tr><td>").append(escape(name)).append("</td><td style=\"text-align:left\">")
                .append(escape(value)).append("</td></tr>");
    }

    private static void row(StringBuilder html, String name, Map<String, Long> counts) {
        StringBuilder values = new StringBuilder();
        counts.forEach((k, v) -> values.append(values.length() == 0 ? "" : ", ").append(k).append(' ').append(v));
        html.append("<tr><td>").append(name).append("</td><td style=\"text-align:left\">")
                .append(escape(values.toString())).append("</td></tr>");
    }

    private static void charts(StringBuilder html, Summary s) {
        List<Summary.TimelinePoint> points = s.timeline();
        html.append("<h2>Over time</h2>");
        html.append(windowChart("Time to first token per second", points, Summary.TimelinePoint::ttft));
        html.append(windowChart("Inter-delta gap per second", points, Summary.TimelinePoint::interDelta));
        if (s.stamps().stampedDeltas() > 0) {
            html.append(windowChart("Broker-added time to first token per second", points,
                    Summary.TimelinePoint::brokerTtft));
        }
        html.append(SvgChart.render("Server events per second", "seconds", "events/s", SvgChart.XAxis.LINEAR,
                SvgChart.YAxis.LINEAR, List.of(
                        series("events/s", COLORS[0], points, p -> true, Summary.TimelinePoint::eventsPerSecond))));
        html.append(SvgChart.render("Sessions connected", "seconds", "sessions", SvgChart.XAxis.LINEAR,
                SvgChart.YAxis.LINEAR, List.of(
                        series("sessions", COLORS[2], points, p -> true, p -> p.sessionsConnected()))));
        s.slowConsumer().filter(slow -> !slow.broker().isEmpty()).ifPresent(slow -> html.append(SvgChart.render(
                "Broker heap (no forced GC)", "seconds", "MB", SvgChart.XAxis.LINEAR, SvgChart.YAxis.LINEAR,
                List.of(new SvgChart.Series("heap used", COLORS[4],
                        slow.broker().stream().mapToDouble(Summary.BrokerPoint::t).toArray(),
                        slow.broker().stream().mapToDouble(p -> p.heapBytes() / 1e6).toArray())))));
        html.append("<h2>Percentile distributions</h2>");
        List<SvgChart.Series> curves = new ArrayList<>();
        int color = 0;
        for (Map.Entry<String, Summary.LatencyStats> e : s.latencies().entrySet()) {
            List<Summary.PercentilePoint> curve = e.getValue().curve();
            double[] xs = curve.stream().mapToDouble(Summary.PercentilePoint::percentile).toArray();
            double[] ys = curve.stream().mapToDouble(Summary.PercentilePoint::valueMs).toArray();
            curves.add(new SvgChart.Series(e.getKey(), COLORS[color++ % COLORS.length], xs, ys));
        }
        html.append(SvgChart.render("Latency by percentile", "percentile", "ms (log)", SvgChart.XAxis.PERCENTILE,
                SvgChart.YAxis.LOG, curves));
    }

    private static String windowChart(String title, List<Summary.TimelinePoint> points,
                                      java.util.function.Function<Summary.TimelinePoint, Summary.Window> window) {
        return SvgChart.render(title, "seconds", "ms", SvgChart.XAxis.LINEAR, SvgChart.YAxis.LINEAR, List.of(
                series("p50", COLORS[0], points, p -> window.apply(p).count() > 0, p -> window.apply(p).p50()),
                series("p99", COLORS[1], points, p -> window.apply(p).count() > 0, p -> window.apply(p).p99()),
                dashed(series("max", COLORS[3], points, p -> window.apply(p).count() > 0,
                        p -> window.apply(p).max()))));
    }

    private static SvgChart.Series series(String name, String color, List<Summary.TimelinePoint> points,
                                          java.util.function.Predicate<Summary.TimelinePoint> include,
                                          ToDoubleFunction<Summary.TimelinePoint> value) {
        List<Summary.TimelinePoint> kept = points.stream().filter(include).toList();
        return new SvgChart.Series(name, color, kept.stream().mapToDouble(Summary.TimelinePoint::t).toArray(),
                kept.stream().mapToDouble(value).toArray());
    }

    private static SvgChart.Series dashed(SvgChart.Series s) {
        return new SvgChart.Series(s.name(), s.color(), s.xs(), s.ys(), true);
    }

    private static void settingsTable(StringBuilder html, Summary s) {
        html.append("<h2>Settings</h2><table><tr><th>setting</th><th>value</th></tr>");
        s.settings().forEach((k, v) -> html.append("<tr><td>").append(escape(k))
                .append("</td><td style=\"text-align:left\">").append(escape(String.valueOf(v))).append("</td></tr>"));
        html.append("</table><p>Command line: <code>").append(escape(String.join(" ", s.commandLine())))
                .append("</code></p>");
    }

    /** Escapes text for HTML and XML content and attribute values. */
    static String escape(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
