package dev.switchboard.loadtest.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The machine-readable report. Field names are a contract (see {@code docs/loadtest.md}); new fields may be
 * added, existing ones keep their name and meaning. Every latency is an object of numbers in milliseconds
 * ({@code count}, {@code mean}, {@code p50}, {@code p90}, {@code p99}, {@code p99_9}, {@code max}); an empty
 * distribution has {@code count} 0 and zeros elsewhere. Stateless and thread-safe.
 */
public final class JsonReport {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Written even when nothing was recorded, as all-zero objects, so readers can rely on them. */
    private static final List<String> CONTRACT_LATENCIES = List.of(Summary.CONNECT, Summary.TTFT,
            Summary.BROKER_TTFT, Summary.INTER_DELTA, Summary.BROKER_DELTA, Summary.CANCEL_ACK, Summary.SEND_LAG);

    private JsonReport() {
    }

    /** The report as a JSON tree. */
    public static ObjectNode toJson(Summary summary) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("scenario", summary.scenario());
        root.put("sessions", summary.sessions());
        root.put("duration_s", summary.durationS());
        root.put("elapsed_s", round(summary.elapsedS()));
        root.put("sessions_connected", summary.sessionsConnected());
        root.set("responses", counts(summary.responses()));
        root.set("requests", counts(summary.requests()));
        root.set("cancels", counts(summary.cancels()));
        root.set("refusals", counts(summary.refusals().byCode()));
        root.put("responses_cut_by_budget", summary.refusals().cutByBudget());
        root.put("rate_limits_updated", summary.refusals().rateLimitsUpdated());
        root.put("errors", summary.errors());
        root.set("errors_by_code", counts(summary.errorsByCode()));
        ObjectNode samples = root.putObject("error_samples");
        summary.errorSamples().forEach(samples::put);
        root.put("seq_gaps", summary.seq().getOrDefault("gaps", 0L));
        root.set("seq", counts(summary.seq()));
        root.put("events_total", summary.eventsTotal());
        root.put("events_per_second", round(summary.eventsPerSecond()));
        for (String name : CONTRACT_LATENCIES) {
            root.set(name, latency(summary.latency(name)));
        }
        summary.latencies().forEach((name, stats) -> root.set(name, latency(stats)));
        root.set("stamps", stamps(summary.stamps()));
        summary.memory().ifPresent(memory -> root.set("memory", memory(memory)));
        summary.resume().ifPresent(resume -> root.set("resume", resume(resume)));
        summary.slowConsumer().ifPresent(slow -> root.set("slow_consumer", slowConsumer(slow)));
        summary.brokerCpu().ifPresent(cpu -> root.set("broker_cpu", brokerCpu(cpu)));
        summary.cluster().ifPresent(cluster -> root.set("cluster", ClusterReport.json(cluster)));
        ArrayNode warnings = root.putArray("warnings");
        summary.warnings().forEach(warnings::add);
        root.put("exit_code", summary.exitCode());
        root.set("settings", MAPPER.valueToTree(summary.settings()));
        ArrayNode args = root.putArray("command_line");
        summary.commandLine().forEach(args::add);
        ObjectNode curves = root.putObject("percentile_curves");
        summary.latencies().forEach((name, stats) -> {
            ArrayNode curve = curves.putArray(name);
            stats.curve().forEach(p -> curve.addArray().add(p.percentile()).add(round(p.valueMs())));
        });
        root.set("timeline", timeline(summary));
        return root;
    }

    /** Writes the report to {@code file}, replacing it. */
    public static void write(Summary summary, Path file) throws IOException {
        Files.writeString(file, MAPPER.writeValueAsString(toJson(summary)) + "\n");
    }

    /** The broker's CPU from /proc: the same fields for every scenario, voice included. */
    public static ObjectNode brokerCpu(Summary.BrokerCpu cpu) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("cpu_s", round(cpu.cpuS())).put("wall_s", round(cpu.wallS()))
                .put("utilisation", round(cpu.utilisation())).put("events", cpu.events())
                .put("cpu_ms_per_1000_events", round(cpu.cpuMsPer1000Events()))
                .put("pinned_core", cpu.pinnedCore()).put("core_busy", round(cpu.coreBusy()));
        return node;
    }

    private static ObjectNode counts(Map<String, Long> counts) {
        ObjectNode node = MAPPER.createObjectNode();
        counts.forEach(node::put);
        return node;
    }

    private static ObjectNode latency(Summary.LatencyStats stats) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("count", stats.count());
        node.put("mean", round(stats.mean()));
        node.put("p50", round(stats.p50()));
        node.put("p90", round(stats.p90()));
        node.put("p99", round(stats.p99()));
        node.put("p99_9", round(stats.p999()));
        node.put("max", round(stats.max()));
        return node;
    }

    private static ObjectNode stamps(Summary.StampInfo stamps) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("mode", stamps.mode());
        node.put("requested", stamps.requested());
        node.put("stamped_deltas", stamps.stampedDeltas());
        node.put("negative_clamped", stamps.negativeClamped());
        node.put("note", stamps.note());
        return node;
    }

    private static ObjectNode memory(Summary.MemorySample memory) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("heap_before_bytes", memory.heapBeforeBytes());
        node.put("heap_after_bytes", memory.heapAfterBytes());
        node.put("sessions_active_before", memory.sessionsActiveBefore());
        node.put("sessions_active_after", memory.sessionsActiveAfter());
        node.put("sessions_measured", memory.sessionsMeasured());
        node.put("bytes_per_session", round(memory.bytesPerSession()));
        node.put("gc_forced", memory.gcForced());
        node.put("settled", memory.settled());
        node.put("source", memory.source());
        return node;
    }

    private static ObjectNode resume(Summary.ResumeStats resume) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("mode", resume.mode());
        node.put("offline_ms", round(resume.offlineMs()));
        node.put("disconnects", resume.disconnects());
        node.put("resumed", resume.resumed());
        Summary.CountStats replayed = resume.replayedEvents();
        ObjectNode events = node.putObject("replayed_events");
        events.put("count", replayed.count());
        events.put("mean", round(replayed.mean()));
        events.put("p50", replayed.p50());
        events.put("p90", replayed.p90());
        events.put("p99", replayed.p99());
        events.put("max", replayed.max());
        events.put("total", replayed.total());
        ObjectNode backlog = node.putObject("backlog");
        backlog.put("events", resume.backlogEvents());
        backlog.put("measured", resume.backlogMeasured());
        backlog.put("short", resume.backlogShort());
        ObjectNode text = node.putObject("text");
        text.put("checked", resume.textChecked());
        text.put("mismatches", resume.textMismatches());
        text.put("reference_checked", resume.referenceChecked());
        text.put("reference_mismatches", resume.referenceMismatches());
        text.put("reference_unverified", resume.referenceUnverified());
        return node;
    }

    private static ObjectNode slowConsumer(Summary.SlowConsumerStats slow) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("share", slow.share());
        node.put("slow_sessions", slow.slowSessions());
        node.put("slow_for_s", slow.slowForS());
        node.put("paused", slow.paused());
        node.put("closed_4008", slow.closedSlowConsumer());
        node.put("closed_abruptly", slow.closedAbruptly());
        node.put("closed_other", slow.closedOther());
        node.put("not_closed", slow.notClosed());
        node.put("broker_slow_consumer_closed", slow.brokerSlowConsumerClosed());
        node.put("heap_before_bytes", slow.heapBeforeBytes());
        node.put("heap_max_bytes", slow.heapMaxBytes());
        node.put("heap_last_bytes", slow.heapLastBytes());
        ArrayNode samples = node.putArray("broker_samples");
        for (Summary.BrokerPoint point : slow.broker()) {
            ObjectNode sample = samples.addObject();
            sample.put("t", round(point.t()));
            sample.put("heap_bytes", point.heapBytes());
            sample.put("slow_consumer_closed", point.slowConsumerClosed());
        }
        node.put("source", slow.source());
        return node;
    }

    private static ArrayNode timeline(Summary summary) {
        ArrayNode points = MAPPER.createArrayNode();
        for (Summary.TimelinePoint point : summary.timeline()) {
            ObjectNode node = points.addObject();
            node.put("t", round(point.t()));
            node.put("sessions_connected", point.sessionsConnected());
            node.put("events_per_second", round(point.eventsPerSecond()));
            node.put("responses", point.responses());
            node.put("errors", point.errors());
            node.set("ttft_ms", window(point.ttft()));
            node.set("inter_delta_ms", window(point.interDelta()));
            node.set("broker_added_ttft_ms", window(point.brokerTtft()));
        }
        return points;
    }

    private static ObjectNode window(Summary.Window window) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("count", window.count());
        node.put("p50", round(window.p50()));
        node.put("p99", round(window.p99()));
        node.put("max", round(window.max()));
        return node;
    }

    /** Three decimals: microsecond resolution for milliseconds, which is what the histograms record. */
    static double round(double value) {
        return Math.round(value * 1000.0) / 1000.0;
    }
}
