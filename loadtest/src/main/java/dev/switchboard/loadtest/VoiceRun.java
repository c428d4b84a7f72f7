package dev.switchboard.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * The {@code voice} scenario: N sessions on a Realtime relay model (dev mode's {@code sim-realtime}) stream input
 * audio in real time, receive audio answers and barge in at random points, alternately by client cancel
 * ({@code response.cancel} + {@code conversation.item.truncate}) and by speaking (loud audio the provider's VAD
 * turns into {@code input_audio_buffer.speech_started}). It measures the barge-in latency each client sees, stale
 * events after the acknowledgement (must be 0), seq gaps, and the broker's own barge-in meter and CPU from
 * {@code /metrics}.
 *
 * <p>Self-contained rather than a hook in the chat engine ({@link LoadTest}): a voice session is driven by a
 * 100 ms audio clock as well as by the stream. One shared scheduler thread sends every session's audio; Jetty
 * threads handle the stream. Bounded by {@code --duration} plus a grace.
 */
final class VoiceRun {
    private static final Duration TICK = Duration.ofMillis(100);
    private static final Duration GRACE = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private VoiceRun() {
    }

    /** Runs the scenario; returns the exit code. */
    static int run(Settings settings, PrintStream out) throws IOException, InterruptedException {
        VoiceTotals totals = new VoiceTotals();
        WebSocketClient client = new WebSocketClient();
        client.setMaxTextMessageSize(64L << 20);
        ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "voice-audio-clock");
            thread.setDaemon(true);
            return thread;
        });
        List<VoiceSession> sessions = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        long startNanos = System.nanoTime();
        long endNanos = startNanos + settings.duration().toNanos();
        out.printf("Switchboard load test: voice, %d sessions, %.1f s -> %s%n", settings.sessions(),
                settings.duration().toMillis() / 1000.0, settings.endpoint());
        try {
            client.start();
            for (int i = 0; i < settings.sessions(); i++) {
                VoiceSession session = new VoiceSession(i, settings.seed() + i, totals, endNanos);
                ClientUpgradeRequest request = new ClientUpgradeRequest();
                request.setHeader("Authorization", "Bearer " + settings.key());
                client.connect(session, settings.endpoint(), request);
                sessions.add(session);
            }
            Map<String, Double> before = scrape(HttpClient.newHttpClient(), settings).orElse(Map.of());
            clock.scheduleAtFixedRate(() -> sessions.forEach(VoiceSession::tick), TICK.toMillis(), TICK.toMillis(),
                    TimeUnit.MILLISECONDS);
            HttpClient http = HttpClient.newHttpClient();
            while (System.nanoTime() < endNanos) {
                Thread.sleep(1000);
                scrape(http, settings).ifPresent(m -> cpu.add(m.getOrDefault("process_cpu_usage", -1.0)));
            }
            sessions.forEach(VoiceSession::stop);
            long graceEnd = System.nanoTime() + GRACE.toNanos();
            while (System.nanoTime() < graceEnd && sessions.stream().anyMatch(VoiceSession::busy)) {
                Thread.sleep(50);
            }
            // The broker's meters count since it started: report this run's share only.
            Map<String, Double> broker = new TreeMap<>(scrape(http, settings).orElse(Map.of()));
            before.forEach((series, value) -> broker.computeIfPresent(series, (k, v) -> v - value));
            return report(settings, out, totals, broker, cpu, sessions);
        } catch (Exception e) {
            if (e instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            throw new IOException("voice run failed: " + e.getMessage(), e);
        } finally {
            clock.shutdownNow();
            sessions.forEach(VoiceSession::close);
            try {
                client.stop();
            } catch (Exception e) {
                // The run is over either way.
            }
        }
    }

    /** The broker's Prometheus samples this report uses, keyed by their series text. */
    private static java.util.Optional<Map<String, Double>> scrape(HttpClient http, Settings settings) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(settings.metricsUri())
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            Map<String, Double> out = new TreeMap<>();
            for (String line : response.body().split("\n")) {
                if (line.startsWith("process_cpu_usage") || line.startsWith("broker_bargein_")) {
                    int space = line.lastIndexOf(' ');
                    String series = line.substring(0, space);
                    out.merge(series.startsWith("process_cpu_usage") ? "process_cpu_usage" : series,
                            Double.parseDouble(line.substring(space + 1)), Double::sum);
                }
            }
            return java.util.Optional.of(out);
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.Optional.empty();
        }
    }

    private static int report(Settings settings, PrintStream out, VoiceTotals totals, Map<String, Double> broker,
                              List<Double> cpu, List<VoiceSession> sessions) throws IOException {
        ObjectNode json = JSON.createObjectNode();
        json.put("scenario", "voice").put("sessions", settings.sessions())
                .put("duration_s", settings.duration().toMillis() / 1000.0);
        ObjectNode latency = json.putObject("bargein_latency_ms");
        out.println("barge-in latency as the client sees it (ms): interrupting frame sent -> response.done");
        out.printf("%-10s %8s %9s %9s %9s %9s%n", "kind", "count", "p50", "p90", "p99", "max");
        for (Map.Entry<String, Histogram> kind : totals.latencies().entrySet()) {
            Histogram h = kind.getValue();
            out.printf("%-10s %8d %9.2f %9.2f %9.2f %9.2f%n", kind.getKey(), h.getTotalCount(), ms(h, 50),
                    ms(h, 90), ms(h, 99), h.getMaxValue() / 1000.0);
            latency.putObject(kind.getKey()).put("count", h.getTotalCount()).put("p50", ms(h, 50))
                    .put("p90", ms(h, 90)).put("p99", ms(h, 99)).put("max", h.getMaxValue() / 1000.0);
        }
        double meanCpu = cpu.stream().filter(v -> v >= 0).mapToDouble(Double::doubleValue).average().orElse(-1);
        int cores = Runtime.getRuntime().availableProcessors();
        double brokerCores = meanCpu < 0 ? -1 : meanCpu * cores;
        long connected = sessions.stream().filter(VoiceSession::connected).count();
        json.put("sessions_connected", connected).put("responses_started", totals.started.sum())
                .put("responses_completed", totals.completed.sum()).put("barge_ins", totals.bargeIns.sum())
                .put("stale_events_after_ack", totals.stale.sum()).put("seq_gaps", totals.gaps.sum())
                .put("errors", totals.errors.sum()).put("audio_bytes_received", totals.audioChars.sum())
                .put("broker_cpu_cores_mean", brokerCores)
                .put("broker_cpu_cores_per_session", brokerCores < 0 ? -1 : brokerCores / Math.max(1, connected));
        ObjectNode brokerMeter = json.putObject("broker_bargein_meter");
        broker.forEach((series, value) -> {
            if (series.startsWith("broker_bargein_latency_seconds_count")
                    || series.startsWith("broker_bargein_latency_seconds_sum")
                    || series.startsWith("broker_bargein_latency_seconds_max")) {
                brokerMeter.put(series, value);
            }
        });
        brokerP99(broker).forEach((reason, p99) -> brokerMeter.put("p99_ms{" + reason + "}", p99));
        out.printf("sessions     %d connected; responses %d started, %d completed, %d barged in%n", connected,
                totals.started.sum(), totals.completed.sum(), totals.bargeIns.sum());
        out.printf("stale events after the acknowledgement: %d   seq gaps: %d   errors: %d%n", totals.stale.sum(),
                totals.gaps.sum(), totals.errors.sum());
        out.printf("audio received: %.1f MB of base64%n", totals.audioChars.sum() / 1e6);
        out.printf("broker CPU: %.2f cores mean (%.4f cores per connected voice session)%n", brokerCores,
                brokerCores / Math.max(1, connected));
        brokerP99(broker).forEach((reason, p99) -> out.printf(
                "broker barge-in meter p99 (%s): <= %.2f ms (histogram bucket bound)%n", reason, p99));
        if (settings.report().isPresent()) {
            Files.writeString(settings.report().get(), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
            out.println("JSON report: " + settings.report().get());
        }
        boolean ok = totals.stale.sum() == 0 && totals.gaps.sum() == 0 && totals.errors.sum() == 0
                && totals.bargeIns.sum() > 0;
        out.println("result: " + (ok ? "OK (exit 0)" : "FAILED (exit 1)"));
        return ok ? LoadTest.EXIT_OK : LoadTest.EXIT_FAILED;
    }

    /** The p99 of the broker's barge-in histogram per reason, as the upper bound of the bucket holding it. */
    static Map<String, Double> brokerP99(Map<String, Double> broker) {
        Map<String, TreeMap<Double, Double>> buckets = new TreeMap<>();
        broker.forEach((series, value) -> {
            if (!series.startsWith("broker_bargein_latency_seconds_bucket{")) {
                return;
            }
            String reason = label(series, "reason");
            String le = label(series, "le");
            double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
            buckets.computeIfAbsent(reason, k -> new TreeMap<>()).merge(bound, value, Double::sum);
        });
        Map<String, Double> out = new TreeMap<>();
        buckets.forEach((reason, cumulative) -> {
            double total = cumulative.lastEntry().getValue();
            for (Map.Entry<Double, Double> bucket : cumulative.entrySet()) {
                if (total > 0 && bucket.getValue() >= 0.99 * total) {
                    out.put(reason, bucket.getKey() * 1000);
                    return;
                }
            }
        });
        return out;
    }

    private static String label(String series, String name) {
        int at = series.indexOf(name + "=\"");
        if (at < 0) {
            return "";
        }
        int start = at + name.length() + 2;
        return series.substring(start, series.indexOf('"', start));
    }

    private static double ms(Histogram histogram, double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1000.0;
    }
}
