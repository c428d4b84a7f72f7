package dev.switchboard.loadtest;

import dev.switchboard.loadtest.report.Summary;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * The {@code voice} scenario: N sessions on a Realtime relay model (dev mode's {@code sim-realtime}) stream input
 * audio in real time, receive audio answers and barge in at random points, each session in one kind of
 * {@code --barge-in}: client cancel ({@code response.cancel} + {@code conversation.item.truncate}), speech the
 * provider's VAD detects, or speech the broker's own VAD detects (both VADs listening, onsets compared). It measures
 * the barge-in latency each client sees, speech onsets, stale events after the acknowledgement (must be 0), seq
 * gaps, the broker's own barge-in meter from {@code /metrics} and, with {@code --broker-pid}, its CPU from
 * {@code /proc}. {@link VoiceReport} writes the text, JSON and HTML reports.
 *
 * <p>Self-contained rather than a hook in the chat engine ({@link LoadTest}): a voice session is driven by a
 * 100 ms audio clock as well as by the stream. One shared scheduler thread sends every session's audio, a tenth
 * of the sessions every 10 ms; Jetty threads handle the stream. Bounded by {@code --duration} plus a grace.
 */
final class VoiceRun {
    private static final int PHASES = 10;
    private static final Duration PHASE = Duration.ofMillis(VoiceAudio.CHUNK_MS / PHASES);
    private static final Duration GRACE = Duration.ofSeconds(10);

    private VoiceRun() {
    }

    /** Runs the scenario; returns the exit code. */
    static int run(Settings settings, PrintStream out) throws IOException, InterruptedException {
        ProcCpu.applyPins(settings, out);
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
                String kind = settings.bargeKinds().get(i % settings.bargeKinds().size());
                VoiceSession session = new VoiceSession(settings.seed() + i, kind, totals, endNanos);
                ClientUpgradeRequest request = new ClientUpgradeRequest();
                request.setHeader("Authorization", "Bearer " + settings.key());
                client.connect(session, settings.endpoint(), request);
                sessions.add(session);
            }
            Map<String, Double> before = scrape(HttpClient.newHttpClient(), settings).orElse(Map.of());
            Optional<ProcCpu> proc = ProcCpu.started(settings);
            VoiceSeconds seconds = new VoiceSeconds(totals, sessions, proc, startNanos);
            // Sessions are spread over the 100 ms audio period in ten groups, 10 ms apart, as real callers are:
            // all appends at once would queue each one behind the others' in the broker's shard.
            long[] slot = {0};
            clock.scheduleAtFixedRate(() -> tickGroup(sessions, (int) (slot[0]++ % PHASES)), PHASE.toMillis(),
                    PHASE.toMillis(), TimeUnit.MILLISECONDS);
            HttpClient http = HttpClient.newHttpClient();
            while (System.nanoTime() < endNanos) {
                Thread.sleep(1000);
                seconds.sample();
                scrape(http, settings).ifPresent(m -> cpu.add(m.getOrDefault("process_cpu_usage", -1.0)));
            }
            sessions.forEach(VoiceSession::stop);
            long graceEnd = System.nanoTime() + GRACE.toNanos();
            while (System.nanoTime() < graceEnd && sessions.stream().anyMatch(VoiceSession::busy)) {
                Thread.sleep(50);
            }
            sessions.forEach(VoiceSession::finishUtterance);
            Optional<Summary.BrokerCpu> brokerCpu = proc.flatMap(p -> p.finish(totals.events.sum()));
            // The broker's meters count since it started: report this run's share only.
            Map<String, Double> broker = new TreeMap<>(scrape(http, settings).orElse(Map.of()));
            before.forEach((series, value) -> broker.computeIfPresent(series, (k, v) -> v - value));
            long connected = sessions.stream().filter(VoiceSession::connected).count();
            return VoiceReport.report(settings, out, new VoiceReport.Run(totals, broker, cpu, connected,
                    seconds.timeline(), brokerCpu));
        } catch (Exception e) {
            if (e instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            if (e instanceof IOException io) {
                throw io;
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

    /** The next 100 ms of audio of every session in group {@code phase} (session index mod {@link #PHASES}). */
    private static void tickGroup(List<VoiceSession> sessions, int phase) {
        for (int i = phase; i < sessions.size(); i += PHASES) {
            sessions.get(i).tick();
        }
    }

    /** The broker's Prometheus samples this report uses, keyed by their series text. */
    private static Optional<Map<String, Double>> scrape(HttpClient http, Settings settings) {
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
            return Optional.of(out);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
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
}
