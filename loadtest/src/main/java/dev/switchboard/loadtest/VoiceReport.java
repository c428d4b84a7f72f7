package dev.switchboard.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.loadtest.report.JsonReport;
import dev.switchboard.loadtest.report.Summary;
import dev.switchboard.loadtest.report.VoiceHtmlReport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.HdrHistogram.Histogram;

/** The voice run's text summary, JSON report and HTML report. Run thread only, once, at the end of the run. */
final class VoiceReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What the run collected.
     *
     * @param totals the sessions' counts and histograms
     * @param broker this run's share of the broker's barge-in meter series, from {@code /metrics}
     * @param processCpuUsage the broker's {@code process_cpu_usage} once a second
     * @param connected sessions that got ready
     * @param timeline one point per second
     * @param brokerCpu the broker's CPU from {@code /proc}, with {@code --broker-pid}
     */
    record Run(VoiceTotals totals, Map<String, Double> broker, List<Double> processCpuUsage, long connected,
               List<VoiceHtmlReport.Second> timeline, Optional<Summary.BrokerCpu> brokerCpu) {
    }

    private VoiceReport() {
    }

    /** Prints the summary and writes the reports asked for; returns the exit code. */
    static int report(Settings settings, PrintStream out, Run run) throws IOException {
        VoiceTotals totals = run.totals();
        ObjectNode json = JSON.createObjectNode();
        json.put("scenario", "voice").put("sessions", settings.sessions())
                .put("duration_s", settings.duration().toMillis() / 1000.0);
        bargeIns(out, json.putObject("bargein_latency_ms"), totals);
        onsets(out, json, totals.onsets);
        counts(out, json, run);
        boolean ok = totals.stale.sum() == 0 && totals.gaps.sum() == 0 && totals.errors.sum() == 0
                && totals.bargeIns.sum() > 0;
        json.put("exit_code", ok ? LoadTest.EXIT_OK : LoadTest.EXIT_FAILED);
        json.set("settings", JSON.valueToTree(settings.describe()));
        if (settings.report().isPresent()) {
            Files.writeString(settings.report().get(), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
            out.println("JSON report: " + settings.report().get());
        }
        if (settings.html().isPresent()) {
            VoiceHtmlReport.write(html(settings, run, latencies(totals), ok), settings.html().get());
            out.println("HTML report: " + settings.html().get());
        }
        out.println("result: " + (ok ? "OK (exit 0)" : "FAILED (exit 1)"));
        return ok ? LoadTest.EXIT_OK : LoadTest.EXIT_FAILED;
    }

    private static void bargeIns(PrintStream out, ObjectNode latency, VoiceTotals totals) {
        out.println("barge-in latency as the client sees it (ms): interrupting frame sent -> response.done");
        out.printf("%-10s %8s %9s %9s %9s %9s%n", "kind", "count", "p50", "p90", "p99", "max");
        for (Map.Entry<String, Histogram> kind : totals.latencies().entrySet()) {
            Histogram h = kind.getValue();
            out.printf(Locale.ROOT, "%-10s %8d %9.2f %9.2f %9.2f %9.2f%n", kind.getKey(), h.getTotalCount(),
                    ms(h, 50), ms(h, 90), ms(h, 99), h.getMaxValue() / 1000.0);
            latency.putObject(kind.getKey()).put("count", h.getTotalCount()).put("p50", ms(h, 50))
                    .put("p90", ms(h, 90)).put("p99", ms(h, 99)).put("max", h.getMaxValue() / 1000.0);
        }
    }

    /** Sessions, responses, checks, audio, the broker's CPU and its barge-in meter. */
    private static void counts(PrintStream out, ObjectNode json, Run run) {
        VoiceTotals totals = run.totals();
        double meanCpu = run.processCpuUsage().stream().filter(v -> v >= 0).mapToDouble(Double::doubleValue)
                .average().orElse(-1);
        double brokerCores = meanCpu < 0 ? -1 : meanCpu * Runtime.getRuntime().availableProcessors();
        long connected = run.connected();
        json.put("sessions_connected", connected).put("responses_started", totals.started.sum())
                .put("responses_completed", totals.completed.sum()).put("barge_ins", totals.bargeIns.sum())
                .put("stale_events_after_ack", totals.stale.sum()).put("seq_gaps", totals.gaps.sum())
                .put("errors", totals.errors.sum()).put("audio_bytes_received", totals.audioChars.sum())
                .put("events_total", totals.events.sum()).put("broker_cpu_cores_mean", brokerCores)
                .put("broker_cpu_cores_per_session", brokerCores < 0 ? -1 : brokerCores / Math.max(1, connected));
        run.brokerCpu().ifPresent(cpu -> json.set("broker_cpu", JsonReport.brokerCpu(cpu)));
        ObjectNode brokerMeter = json.putObject("broker_bargein_meter");
        run.broker().forEach((series, value) -> {
            if (series.startsWith("broker_bargein_latency_seconds_count")
                    || series.startsWith("broker_bargein_latency_seconds_sum")
                    || series.startsWith("broker_bargein_latency_seconds_max")) {
                brokerMeter.put(series, value);
            }
        });
        Map<String, Double> brokerP99 = VoiceRun.brokerP99(run.broker());
        brokerP99.forEach((reason, p99) -> brokerMeter.put("p99_ms{" + reason + "}", p99));
        out.printf("sessions     %d connected; responses %d started, %d completed, %d barged in%n", connected,
                totals.started.sum(), totals.completed.sum(), totals.bargeIns.sum());
        out.printf("stale events after the acknowledgement: %d   seq gaps: %d   errors: %d%n", totals.stale.sum(),
                totals.gaps.sum(), totals.errors.sum());
        out.printf(Locale.ROOT, "audio received: %.1f MB of base64; %,d events%n", totals.audioChars.sum() / 1e6,
                totals.events.sum());
        out.printf(Locale.ROOT, "broker CPU (/metrics): %.2f cores mean (%.4f cores per connected voice session)%n",
                brokerCores, brokerCores / Math.max(1, connected));
        run.brokerCpu().ifPresent(cpu -> out.println("broker CPU (/proc): " + cpu.describe()));
        brokerP99.forEach((reason, p99) -> out.printf(Locale.ROOT,
                "broker barge-in meter p99 (%s): <= %.2f ms (histogram bucket bound)%n", reason, p99));
    }

    /** Barge-in by kind and both detectors' onsets, for the HTML tables and curves. */
    private static Map<String, Summary.LatencyStats> latencies(VoiceTotals totals) {
        Map<String, Summary.LatencyStats> out = new LinkedHashMap<>();
        totals.latencies().forEach((kind, h) -> out.put("bargein_" + kind + "_ms", Harvester.stats(h)));
        out.put("onset_broker_vad_ms", Harvester.stats(totals.onsets.brokerWall));
        out.put("onset_provider_vad_ms", Harvester.stats(totals.onsets.providerWall));
        return out;
    }

    private static void onsets(PrintStream out, ObjectNode json, VoiceOnsets o) {
        long utterances = o.utterances.sum();
        ObjectNode node = json.putObject("onsets");
        node.put("utterances", utterances).put("broker_first", o.brokerFirst.sum())
                .put("provider_first", o.providerFirst.sum()).put("broker_missed", o.brokerMissed.sum())
                .put("provider_missed", o.providerMissed.sum())
                .put("broker_first_share", utterances == 0 ? 0 : (double) o.brokerFirst.sum() / utterances);
        distribution(node.putObject("broker_wall_ms"), o.brokerWall, 1e3);
        distribution(node.putObject("provider_wall_ms"), o.providerWall, 1e3);
        distribution(node.putObject("broker_audio_ms"), o.brokerAudio, 1);
        distribution(node.putObject("provider_audio_ms"), o.providerAudio, 1);
        distribution(node.putObject("broker_decided_audio_ms"), o.brokerDecided, 1);
        if (utterances == 0) {
            return;
        }
        out.printf(Locale.ROOT, "speech onsets (broker_vad sessions, both VADs on the same audio): %,d utterances, "
                        + "broker first %,d (%.1f %%), provider first %,d, missed: broker %,d, provider %,d%n",
                utterances, o.brokerFirst.sum(), 100.0 * o.brokerFirst.sum() / utterances, o.providerFirst.sum(),
                o.brokerMissed.sum(), o.providerMissed.sum());
        out.printf(Locale.ROOT, "  wall ms from the first speech append sent: broker p50 %.2f p99 %.2f, "
                        + "provider p50 %.2f p99 %.2f%n", o.brokerWall.getValueAtPercentile(50) / 1e3,
                o.brokerWall.getValueAtPercentile(99) / 1e3, o.providerWall.getValueAtPercentile(50) / 1e3,
                o.providerWall.getValueAtPercentile(99) / 1e3);
        out.printf(Locale.ROOT, "  audio ms sent at arrival past the onset: broker p50 %d p99 %d, provider p50 %d "
                        + "p99 %d; broker decided at onset + p50 %d p99 %d ms%n",
                o.brokerAudio.getValueAtPercentile(50), o.brokerAudio.getValueAtPercentile(99),
                o.providerAudio.getValueAtPercentile(50), o.providerAudio.getValueAtPercentile(99),
                o.brokerDecided.getValueAtPercentile(50),
                o.brokerDecided.getValueAtPercentile(99));
    }

    private static void distribution(ObjectNode node, Histogram h, double divisor) {
        node.put("count", h.getTotalCount()).put("p50", h.getValueAtPercentile(50) / divisor)
                .put("p99", h.getValueAtPercentile(99) / divisor).put("max", h.getMaxValue() / divisor);
    }

    private static VoiceHtmlReport.Voice html(Settings settings, Run run, Map<String, Summary.LatencyStats> latencies,
                                              boolean ok) {
        VoiceTotals t = run.totals();
        VoiceOnsets o = t.onsets;
        Map<String, Map<String, Long>> counts = new LinkedHashMap<>();
        counts.put("responses", ordered("started", t.started.sum(), "completed", t.completed.sum(), "barged in",
                t.bargeIns.sum()));
        counts.put("checks", ordered("stale events after ack", t.stale.sum(), "seq gaps", t.gaps.sum(), "errors",
                t.errors.sum()));
        counts.put("onsets", ordered("utterances", o.utterances.sum(), "broker first", o.brokerFirst.sum(),
                "provider first", o.providerFirst.sum(), "broker missed", o.brokerMissed.sum()));
        Map<String, Long> meter = new LinkedHashMap<>();
        VoiceRun.brokerP99(run.broker()).forEach((reason, p99) -> meter.put(reason + " p99 <= µs",
                Math.round(p99 * 1000)));
        counts.put("broker barge-in meter", meter);
        String headline = String.format(Locale.ROOT, "%d sessions (%d connected), %.1f s, %,d events, %,d barge-ins.",
                settings.sessions(), run.connected(), settings.duration().toMillis() / 1000.0, t.events.sum(),
                t.bargeIns.sum());
        return new VoiceHtmlReport.Voice(ok, headline, latencies, counts, run.brokerCpu(), run.timeline(),
                settings.describe(), settings.commandLine());
    }

    private static Map<String, Long> ordered(Object... pairs) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            out.put((String) pairs[i], (Long) pairs[i + 1]);
        }
        return out;
    }

    private static double ms(Histogram histogram, double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1000.0;
    }
}
