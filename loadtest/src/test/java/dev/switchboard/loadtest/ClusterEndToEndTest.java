package dev.switchboard.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.config.ConfigLoader;
import dev.switchboard.loadtest.report.Summary;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster scenario against real brokers on port 0 with the embedded simulator. Two independent brokers with
 * different resume secrets stand in for the two cases a cluster run must tell apart: both {@code --nodes} entries
 * on one broker (every resume is served, so nothing may be lost or repeated), and a second node that cannot serve
 * the first one's sessions (every resume there is refused with {@code resume_token_invalid} and 4410, and the run
 * must count that and end, not hang). Only correctness counters are checked, never timings; every run is bounded
 * by its --duration and --grace, and the class timeout bounds the rest.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Broker nodeA;
    private static Broker nodeB;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBrokers() throws Exception {
        nodeA = Broker.start(new ConfigLoader(System::getenv).parse(config("cluster-test-secret-of-node-a")));
        nodeB = Broker.start(new ConfigLoader(System::getenv).parse(config("cluster-test-secret-of-node-b")));
    }

    private static String config(String resumeSecret) {
        return """
                listen: {host: 127.0.0.1, port: 0}
                simulator: {enabled: true}
                models:
                  sim-chat: {route: [simulator/sim-chat]}
                tenants:
                  dev: {keys: [dev-key], models: ["*"]}
                sessions: {resume_secret: %s}
                """.formatted(resumeSecret);
    }

    @AfterAll
    static void stopBrokers() {
        nodeA.close();
        nodeB.close();
    }

    private static String url(Broker broker) {
        return "ws://127.0.0.1:" + broker.port() + "/v1/realtime";
    }

    @Test
    void resumes_on_the_other_node_entry_lose_and_repeat_nothing_and_the_counts_add_up() throws Exception {
        String pid = Long.toString(ProcessHandle.current().pid());
        Run run = run("--nodes", url(nodeA) + "," + url(nodeA), "--broker-pids", pid + "," + pid,
                "--sessions", "4", "--duration", "3s", "--think", "100ms", "--tokens", "30", "--ttft-ms", "10",
                "--tokens-per-second", "300", "--disconnect-prob", "0.7", "--max-disconnects", "5",
                "--offline", "50ms");
        JsonNode json = run.json;

        assertEquals(0, json.path("errors").asLong(), run.output);
        assertEquals(0, json.path("seq").path("gaps").asLong(), run.output);
        assertEquals(0, json.path("seq").path("duplicates").asLong(), run.output);
        assertEquals(0, json.path("exit_code").asInt(), run.output);
        JsonNode resumes = json.path("cluster").path("resumes");
        long attempted = resumes.path("attempted").asLong();
        assertTrue(attempted > 0, run.output);
        assertEquals(json.path("resume").path("disconnects").asLong(), attempted, "every drop was resumed");
        assertEquals(attempted, resumes.path("succeeded").asLong(), run.output);
        assertEquals(0, resumes.path("refused").asLong());
        assertEquals(0, resumes.path("failed").asLong() + resumes.path("unfinished").asLong());
        assertEquals(attempted, json.path(Summary.DROP_TO_RESUMED).path("count").asLong());
        assertEquals(attempted, json.path(Summary.DROP_TO_FIRST_EVENT).path("count").asLong());
        JsonNode text = json.path("resume").path("text");
        assertEquals(0, text.path("mismatches").asLong());
        assertEquals(0, text.path("reference_mismatches").asLong());
        assertTrue(text.path("reference_checked").asLong() > 0, run.output);

        JsonNode nodes = json.path("cluster").path("nodes");
        assertEquals(2, nodes.size());
        assertEquals(2, nodes.get(0).path("sessions_created").asLong(), "round-robin: sessions 1 and 3");
        assertEquals(2, nodes.get(1).path("sessions_created").asLong(), "round-robin: sessions 2 and 4");
        assertEquals(attempted, nodes.get(0).path("resumes_attempted").asLong()
                + nodes.get(1).path("resumes_attempted").asLong());
        assertEquals(json.path("events_total").asLong(), nodes.get(0).path("events").asLong()
                + nodes.get(1).path("events").asLong(), "every event came from one node or the other");
        assertTrue(nodes.get(0).path("broker_cpu").path("cpu_ms_per_1000_events").asDouble() > 0, run.output);
        assertTrue(run.output.contains("cross-node   resumes attempted"), run.output);
        assertTrue(Files.readString(dir.resolve("report.html")).contains("node 2"));
    }

    @Test
    void a_node_that_cannot_serve_the_other_nodes_sessions_has_its_resumes_counted_as_refused() throws Exception {
        Run run = run("--nodes", url(nodeA) + "," + url(nodeB), "--sessions", "4", "--duration", "3s",
                "--think", "100ms", "--tokens", "30", "--ttft-ms", "10", "--tokens-per-second", "300",
                "--disconnect-prob", "1", "--offline", "50ms");
        JsonNode json = run.json;

        JsonNode resumes = json.path("cluster").path("resumes");
        long attempted = resumes.path("attempted").asLong();
        assertEquals(4, attempted, "each session dropped once, was refused and ended: " + run.output);
        assertEquals(attempted, resumes.path("refused").asLong(), run.output);
        assertEquals(attempted, resumes.path("refused_by_code").path("resume_token_invalid").asLong(), run.output);
        assertEquals(0, resumes.path("succeeded").asLong());
        JsonNode nodes = json.path("cluster").path("nodes");
        assertEquals(2, nodes.get(0).path("resumes_refused").asLong(), run.output);
        assertEquals(2, nodes.get(1).path("resumes_refused").asLong(), run.output);
        // The refusal fails the run under one error code; the broker's error and its 4410 close are not extra errors.
        assertEquals(attempted, json.path("errors_by_code").path("resume_refused").asLong(), run.output);
        assertEquals(attempted, json.path("errors").asLong(), run.output);
        assertFalse(json.path("errors_by_code").has("closed_4410"), run.output);
        assertEquals(LoadTest.EXIT_FAILED, json.path("exit_code").asInt());
        assertEquals(0, json.path("seq").path("gaps").asLong() + json.path("seq").path("duplicates").asLong());
    }

    private record Run(JsonNode json, String output) {
    }

    private Run run(String... scenarioArgs) throws Exception {
        Path report = dir.resolve("report.json");
        List<String> args = new ArrayList<>(List.of("--scenario", "cluster", "--key", "dev-key", "--grace", "10s",
                "--report", report.toString(), "--html", dir.resolve("report.html").toString()));
        args.addAll(List.of(scenarioArgs));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Summary summary = LoadTest.run(Settings.parse(args.toArray(String[]::new)),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        JsonNode json = JSON.readTree(report.toFile());
        assertEquals(summary.exitCode(), json.path("exit_code").asInt());
        return new Run(json, out.toString(StandardCharsets.UTF_8));
    }
}
