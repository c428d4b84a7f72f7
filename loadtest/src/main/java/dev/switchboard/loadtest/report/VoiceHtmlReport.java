package dev.switchboard.loadtest.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The voice scenario's self-contained HTML page, in the style of {@link HtmlReport} and with its {@link SvgChart}s:
 * barge-in latency by kind, speech onsets of the broker's and the provider's VAD, counts, the broker's CPU, and
 * per-second charts. No scripts or external resources. Stateless and thread-safe.
 */
public final class VoiceHtmlReport {

    /**
     * One second of a voice run.
     *
     * @param t seconds since the run started
     * @param sessionsConnected sessions ready by then
     * @param eventsPerSecond server events received in that second
     * @param bargeIn barge-ins acknowledged in that second, every kind
     * @param brokerCpuPercent the broker's CPU in that second, percent of one core, or -1 without {@code /proc}
     */
    public record Second(double t, long sessionsConnected, double eventsPerSecond, Summary.Window bargeIn,
                         double brokerCpuPercent) {
    }

    /**
     * What a voice run measured, in report units.
     *
     * @param ok whether the run passed
     * @param headline one sentence under the title
     * @param latencies distributions by name (barge-in by kind, onsets), milliseconds
     * @param counts groups of counts by name, in order
     * @param brokerCpu the broker's CPU from {@code /proc}, with {@code --broker-pid}
     * @param timeline one point per second
     * @param settings the effective settings, the key redacted
     * @param commandLine the arguments, the key redacted
     */
    public record Voice(boolean ok, String headline, Map<String, Summary.LatencyStats> latencies,
                        Map<String, Map<String, Long>> counts, Optional<Summary.BrokerCpu> brokerCpu,
                        List<Second> timeline, Map<String, Object> settings, List<String> commandLine) {
    }

    private VoiceHtmlReport() {
    }

    /** Writes the page to {@code file}, replacing it. */
    public static void write(Voice voice, Path file) throws IOException {
        Files.writeString(file, render(voice));
    }

    /** The complete HTML document. */
    public static String render(Voice v) {
        StringBuilder html = new StringBuilder(64 * 1024);
        html.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Switchboard load test: "
                + "voice</title><style>").append(HtmlReport.STYLE).append("</style></head><body>");
        html.append("<h1>Switchboard load test: voice</h1><p class=\"").append(v.ok() ? "ok" : "bad").append("\">")
                .append(v.ok() ? "OK. " : "FAILED. ").append(HtmlReport.escape(v.headline())).append("</p>");
        html.append("<h2>Latency (ms)</h2><table><tr><th>metric</th><th>count</th><th>mean</th><th>p50</th>"
                + "<th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr>");
        v.latencies().forEach((name, l) -> html.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%,d</td>"
                        + "<td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td></tr>",
                HtmlReport.escape(name), l.count(), l.mean(), l.p50(), l.p90(), l.p99(), l.p999(), l.max())));
        html.append("</table><h2>Counts</h2><table><tr><th>group</th><th>values</th></tr>");
        v.counts().forEach((group, values) -> {
            StringBuilder text = new StringBuilder();
            values.forEach((k, n) -> text.append(text.length() == 0 ? "" : ", ").append(k).append(' ').append(n));
            cell(html, group, text.toString());
        });
        v.brokerCpu().ifPresent(cpu -> cell(html, "broker cpu", cpu.describe()));
        html.append("</table>");
        charts(html, v);
        html.append("<h2>Settings</h2><table><tr><th>setting</th><th>value</th></tr>");
        v.settings().forEach((k, value) -> cell(html, k, String.valueOf(value)));
        html.append("</table><p>Command line: <code>").append(HtmlReport.escape(String.join(" ", v.commandLine())))
                .append("</code></p></body></html>\n");
        return html.toString();
    }

    private static void cell(StringBuilder html, String name, String value) {
        html.append("<tr><td>").append(HtmlReport.escape(name)).append("</td><td style=\"text-align:left\">")
                .append(HtmlReport.escape(value)).append("</td></tr>");
    }

    private static void charts(StringBuilder html, Voice v) {
        List<Second> points = v.timeline();
        html.append("<h2>Over time</h2>");
        Function<Second, Summary.Window> w = Second::bargeIn;
        html.append(SvgChart.render("Barge-in latency per second (every kind)", "seconds", "ms",
                SvgChart.XAxis.LINEAR, SvgChart.YAxis.LINEAR, List.of(
                        series("p50", 0, points, p -> w.apply(p).count() > 0, p -> w.apply(p).p50(), false),
                        series("p99", 1, points, p -> w.apply(p).count() > 0, p -> w.apply(p).p99(), false),
                        series("max", 3, points, p -> w.apply(p).count() > 0, p -> w.apply(p).max(), true))));
        html.append(SvgChart.render("Server events per second", "seconds", "events/s", SvgChart.XAxis.LINEAR,
                SvgChart.YAxis.LINEAR, List.of(series("events/s", 0, points, p -> true, Second::eventsPerSecond,
                        false))));
        if (points.stream().anyMatch(p -> p.brokerCpuPercent() >= 0)) {
            html.append(SvgChart.render("Broker CPU per second (/proc)", "seconds", "% of one core",
                    SvgChart.XAxis.LINEAR, SvgChart.YAxis.LINEAR, List.of(series("broker", 4, points,
                            p -> p.brokerCpuPercent() >= 0, Second::brokerCpuPercent, false))));
        }
        html.append(SvgChart.render("Sessions connected", "seconds", "sessions", SvgChart.XAxis.LINEAR,
                SvgChart.YAxis.LINEAR, List.of(series("sessions", 2, points, p -> true,
                        p -> p.sessionsConnected(), false))));
        html.append("<h2>Percentile distributions</h2>");
        List<SvgChart.Series> curves = new ArrayList<>();
        int color = 0;
        for (Map.Entry<String, Summary.LatencyStats> e : v.latencies().entrySet()) {
            List<Summary.PercentilePoint> curve = e.getValue().curve();
            curves.add(new SvgChart.Series(e.getKey(), HtmlReport.COLORS[color++ % HtmlReport.COLORS.length],
                    curve.stream().mapToDouble(Summary.PercentilePoint::percentile).toArray(),
                    curve.stream().mapToDouble(Summary.PercentilePoint::valueMs).toArray()));
        }
        html.append(SvgChart.render("Latency by percentile", "percentile", "ms (log)", SvgChart.XAxis.PERCENTILE,
                SvgChart.YAxis.LOG, curves));
    }

    private static SvgChart.Series series(String name, int color, List<Second> points,
                                          java.util.function.Predicate<Second> include, ToDoubleFunction<Second> value,
                                          boolean dashed) {
        List<Second> kept = points.stream().filter(include).toList();
        return new SvgChart.Series(name, HtmlReport.COLORS[color], kept.stream().mapToDouble(Second::t).toArray(),
                kept.stream().mapToDouble(value).toArray(), dashed);
    }
}
