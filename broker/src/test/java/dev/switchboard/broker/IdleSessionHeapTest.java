package dev.switchboard.broker;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 12: what a connected idle session costs the broker's heap. A broker process takes {@value #SESSIONS}
 * sessions that receive {@code session.created} and then send nothing; its heap after a forced full GC
 * ({@code jcmd PID GC.run}, as the load-test harness's idle scenario does) is compared with the heap before them.
 *
 * <p>The bound is generous. Measured with this test: about 11 KB per session, nearly all of it Jetty's connection
 * and upgrade state; before the replay log started small, every idle session also held a 16 KiB block, about
 * 27 KB in all. The broker runs in its own JVM, so neither the test's clients nor other tests' garbage count.
 * Nothing here depends on timing: every read is bounded by the socket timeout, the connects by their count.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class IdleSessionHeapTest {
    private static final Logger LOG = LoggerFactory.getLogger(IdleSessionHeapTest.class);
    private static final int SESSIONS = 2_000;
    /** Connected before the baseline, so that it already holds the classes, code and buffers any session needs. */
    private static final int WARM_UP_SESSIONS = 50;
    private static final long MAX_BYTES_PER_SESSION = 18_000;
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(20);
    /** Full GCs before each heap sample; the lowest sample counts (a scrape allocates a little itself). */
    private static final int GC_SAMPLES = 3;

    @Test
    void an_idle_session_costs_the_broker_well_under_18_KB_of_heap() throws Exception {
        Path jcmd = Path.of(ProcessHandle.current().info().command().orElse("java")).resolveSibling("jcmd");
        assumeTrue(Files.isExecutable(jcmd), "needs jcmd next to the java binary to force a GC in the broker");
        HttpClient http = HttpClient.newHttpClient();
        List<RawWebSocket> sessions = new ArrayList<>();
        try (BrokerProcess broker = BrokerProcess.start("-Xmx1g")) {
            openIdle(broker, WARM_UP_SESSIONS, sessions);
            long before = heapAfterGc(jcmd, broker, http);
            openIdle(broker, SESSIONS, sessions);
            long after = heapAfterGc(jcmd, broker, http);
            long perSession = (after - before) / SESSIONS;
            String measured = "heap " + (before >> 10) + " KiB before, " + (after >> 10) + " KiB with " + SESSIONS
                    + " more idle sessions: " + perSession + " bytes per session";
            LOG.info(measured);
            assertTrue(perSession < MAX_BYTES_PER_SESSION, measured);
            assertTrue(broker.process().isAlive(), broker::recentOutput);
        } finally {
            for (RawWebSocket session : sessions) {
                session.close();
            }
        }
    }

    /** Opens {@code count} sessions one after another, each until its {@code session.created} arrived. */
    private static void openIdle(BrokerProcess broker, int count, List<RawWebSocket> into) throws IOException {
        for (int i = 0; i < count; i++) {
            RawWebSocket ws = RawWebSocket.connect(broker.port(), "dev-key", SOCKET_TIMEOUT);
            into.add(ws);
            String first = ws.next();
            if (!first.contains("\"session.created\"")) {
                throw new AssertionError("session " + i + " began with " + first + "\n" + broker.recentOutput());
            }
        }
    }

    /** The broker's used heap after a forced full GC: the lowest of {@value #GC_SAMPLES} samples. */
    private static long heapAfterGc(Path jcmd, BrokerProcess broker, HttpClient http) throws Exception {
        long lowest = Long.MAX_VALUE;
        for (int i = 0; i < GC_SAMPLES; i++) {
            Process gc = new ProcessBuilder(jcmd.toString(), Long.toString(broker.process().pid()), "GC.run")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!gc.waitFor(60, TimeUnit.SECONDS)) {
                gc.destroyForcibly();
                throw new AssertionError("jcmd GC.run did not finish within 60 s");
            }
            assertTrue(gc.exitValue() == 0, "jcmd GC.run failed");
            lowest = Math.min(lowest, usedHeap(broker, http));
        }
        return lowest;
    }

    /** The sum of {@code jvm_memory_used_bytes} over the heap's pools, from {@code /metrics}. */
    private static long usedHeap(BrokerProcess broker, HttpClient http) throws Exception {
        URI metrics = URI.create("http://127.0.0.1:" + broker.port() + "/metrics");
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(metrics).timeout(SOCKET_TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
        double sum = 0;
        boolean found = false;
        for (String line : response.body().split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        assertTrue(found, "no heap gauge on /metrics");
        return (long) sum;
    }
}
