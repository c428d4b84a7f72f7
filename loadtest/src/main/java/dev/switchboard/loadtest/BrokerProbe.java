package dev.switchboard.loadtest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * Samples the broker's heap: optionally {@code jcmd PID GC.run} first (same machine only), then one scrape of
 * {@code /metrics} on the broker's own host and port. Blocking; call from the run thread.
 */
final class BrokerProbe {
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(10);
    private static final long JCMD_TIMEOUT_SECONDS = 60;

    /**
     * One sample.
     *
     * @param heapBytes the sum of {@code jvm_memory_used_bytes} over series with {@code area="heap"}
     * @param sessionsActive {@code broker_sessions_active}, or -1 if absent
     * @param gcForced whether {@code jcmd GC.run} ran and exited 0 just before
     * @param slowConsumerClosed {@code broker_connections_slow_consumer_total}, or -1 if absent
     */
    record Sample(long heapBytes, long sessionsActive, boolean gcForced, long slowConsumerClosed) {
    }

    /** The broker's count of connections closed as slow consumers. */
    private static final String SLOW_CONSUMER_COUNTER = "broker_connections_slow_consumer_total";

    private final URI metrics;
    private final OptionalLong brokerPid;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER).build();

    BrokerProbe(URI metrics, OptionalLong brokerPid) {
        this.metrics = metrics;
        this.brokerPid = brokerPid;
    }

    URI metrics() {
        return metrics;
    }

    /** Forces a GC if a pid was given, then scrapes. */
    Sample sample() throws IOException, InterruptedException {
        boolean gc = brokerPid.isPresent() && forceGc(brokerPid.getAsLong());
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(metrics).timeout(HTTP_TIMEOUT).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + metrics + " answered " + response.statusCode());
        }
        return parse(response.body(), gc);
    }

    /** Reads the metrics from Prometheus text exposition. */
    static Sample parse(String body, boolean gcForced) throws IOException {
        double heap = 0;
        boolean sawHeap = false;
        long sessions = -1;
        long slowConsumers = -1;
        for (String line : body.split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                heap += value(line);
                sawHeap = true;
            } else if (line.startsWith("broker_sessions_active ") || line.startsWith("broker_sessions_active{")) {
                sessions = Math.max(0, sessions) + (long) value(line);
            } else if (line.startsWith(SLOW_CONSUMER_COUNTER + " ") || line.startsWith(SLOW_CONSUMER_COUNTER + "{")) {
                slowConsumers = Math.max(0, slowConsumers) + (long) value(line);
            }
        }
        if (!sawHeap) {
            throw new IOException("no jvm_memory_used_bytes{area=\"heap\"} series in /metrics");
        }
        return new Sample((long) heap, sessions, gcForced, slowConsumers);
    }

    /** The sample value of {@code name{labels} value [timestamp]} or {@code name value [timestamp]}. */
    private static double value(String line) throws IOException {
        int labelsEnd = line.lastIndexOf('}');
        String rest = labelsEnd >= 0 ? line.substring(labelsEnd + 1) : line.substring(line.indexOf(' ') + 1);
        String[] parts = rest.trim().split("\\s+");
        try {
            return Double.parseDouble(parts[0]);
        } catch (NumberFormatException e) {
            throw new IOException("cannot read the value of metrics line: " + line, e);
        }
    }

    /** Runs {@code jcmd PID GC.run}; false when it cannot run or fails. */
    private static boolean forceGc(long pid) throws InterruptedException {
        try {
            Process process = new ProcessBuilder(jcmd(), Long.toString(pid), "GC.run")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(JCMD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return false;
            }
            return process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code jcmd} next to the running JVM's {@code java}, else from the PATH. */
    private static String jcmd() {
        Optional<String> java = ProcessHandle.current().info().command();
        if (java.isPresent()) {
            Path candidate = Path.of(java.get()).resolveSibling("jcmd");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return "jcmd";
    }
}
