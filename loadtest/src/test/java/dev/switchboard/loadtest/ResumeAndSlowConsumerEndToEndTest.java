package dev.switchboard.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.config.ConfigLoader;
import dev.switchboard.loadtest.report.Summary;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
 * The resume and slow-consumer scenarios against a real broker on port 0 with the embedded simulator. The broker
 * closes a stalled client after 500 ms instead of 10 s, so that a slow session is closed within a short run.
 * Only correctness counters are checked (seq, resumes, texts, close codes), never timings; every run is bounded
 * by its --duration and --grace, and the class timeout bounds the rest.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ResumeAndSlowConsumerEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Broker broker;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = Broker.start(new ConfigLoader(System::getenv).parse("""
                listen: {host: 127.0.0.1, port: 0}
                simulator: {enabled: true}
                models:
                  sim-chat: {route: [simulator/sim-chat]}
                tenants:
                  dev: {keys: [dev-key], models: ["*"]}
                outbound: {max_stall: 500ms}
                """));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void a_resume_run_drops_and_resumes_with_contiguous_seq_and_unchanged_texts() throws Exception {
        JsonNode json = run("--scenario", "resume", "--sessions", "4", "--duration", "3s", "--think", "100ms",
                "--tokens", "30", "--ttft-ms", "10", "--tokens-per-second", "300", "--disconnect-prob", "0.7",
                "--max-disconnects", "5", "--offline", "50ms");

        assertClean(json);
        JsonNode resume = json.path("resume");
        long drops = resume.path("disconnects").asLong();
        assertTrue(drops > 0, json::toString);
        assertEquals(drops, resume.path("resumed").asLong(), "session.resumed answers every reconnect");
        assertEquals(drops, json.path(Summary.RESUME).path("count").asLong());
        assertEquals(drops, json.path(Summary.REPLAY).path("count").asLong());
        assertTrue(resume.path("replayed_events").path("total").asLong() > 0, json::toString);
        JsonNode text = resume.path("text");
        assertEquals(json.path("responses").path("completed").asLong(), text.path("checked").asLong());
        assertEquals(0, text.path("mismatches").asLong());
        assertTrue(text.path("reference_checked").asLong() > 0, json::toString);
        assertEquals(0, text.path("reference_mismatches").asLong());
    }

    @Test
    void the_backlog_mode_replays_every_missed_event_of_a_finished_response() throws Exception {
        // Sessions 2 and 3 drop after the first delta and stay away for 1 s plus twice the 50 ms the simulator
        // needs; session 1 is the uninterrupted reference text.
        JsonNode json = run("--scenario", "resume", "--backlog", "200", "--sessions", "3", "--duration", "3s",
                "--tokens", "250", "--ttft-ms", "0", "--tokens-per-second", "5000", "--offline", "1s");

        assertClean(json);
        JsonNode resume = json.path("resume");
        assertEquals("backlog", resume.path("mode").asText());
        assertEquals(2, resume.path("disconnects").asLong(), json::toString);
        assertEquals(2, resume.path("resumed").asLong());
        JsonNode backlog = resume.path("backlog");
        assertEquals(2, backlog.path("measured").asLong() + backlog.path("short").asLong());
        assertTrue(backlog.path("measured").asLong() >= 1, json::toString);
        assertEquals(backlog.path("measured").asLong(), json.path(Summary.REPLAY_BACKLOG).path("count").asLong());
        assertTrue(resume.path("replayed_events").path("max").asLong() >= 200, json::toString);
        assertEquals(0, resume.path("text").path("reference_mismatches").asLong());
        assertTrue(resume.path("text").path("reference_checked").asLong() >= 3, json::toString);
    }

    @Test
    void slow_sessions_are_closed_as_slow_consumers_while_the_others_chat_without_errors() throws Exception {
        // Two of five sessions ask for a response far larger than the socket buffers and stop reading; the
        // broker must give up on them after its 500 ms stall, long before they read again at 4 s. The broker's
        // own counter confirms that it closed them as slow consumers.
        JsonNode json = run("--scenario", "slow-consumer", "--sessions", "5", "--slow-share", "0.4",
                "--slow-for", "4s", "--slow-tokens", "100000", "--slow-tokens-per-second", "50000",
                "--duration", "5s", "--think", "200ms", "--tokens", "10", "--ttft-ms", "10",
                "--tokens-per-second", "200");

        assertClean(json);
        JsonNode slow = json.path("slow_consumer");
        assertEquals(2, slow.path("slow_sessions").asInt(), json::toString);
        assertEquals(2, slow.path("paused").asLong());
        // The broker sends 4008 and cuts the connection if the close handshake does not follow within its
        // grace; which of the two a session sees when it reads again depends on timing, the sum does not.
        assertEquals(2, slow.path("closed_4008").asLong() + slow.path("closed_abruptly").asLong(),
                json::toString);
        assertEquals(0, slow.path("closed_other").asLong());
        assertEquals(2, slow.path("broker_slow_consumer_closed").asLong(), json::toString);
        assertTrue(slow.path("broker_samples").size() > 0, json::toString);
        assertTrue(json.path("responses").path("completed").asLong() > 0, json::toString);
        assertTrue(json.path(Summary.TTFT).path("count").asLong() > 0, "the normal sessions' TTFT");
    }

    private JsonNode run(String... scenarioArgs) throws Exception {
        Path report = dir.resolve("report.json");
        List<String> args = new ArrayList<>(List.of("--url", "ws://127.0.0.1:" + broker.port() + "/v1/realtime",
                "--key", "dev-key", "--model", "sim-chat", "--grace", "10s", "--report", report.toString(),
                "--html", dir.resolve("report.html").toString()));
        args.addAll(List.of(scenarioArgs));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Summary summary = LoadTest.run(Settings.parse(args.toArray(String[]::new)),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        JsonNode json = JSON.readTree(report.toFile());
        assertEquals(summary.exitCode(), json.path("exit_code").asInt());
        return json;
    }

    private static void assertClean(JsonNode json) {
        assertEquals(0, json.path("errors").asLong(), json::toString);
        assertEquals(0, json.path("seq").path("gaps").asLong(), json::toString);
        assertEquals(0, json.path("seq").path("duplicates").asLong(), json::toString);
        assertEquals(0, json.path("exit_code").asInt(), json::toString);
    }
}
