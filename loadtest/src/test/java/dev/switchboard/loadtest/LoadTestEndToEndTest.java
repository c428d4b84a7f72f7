package dev.switchboard.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import dev.switchboard.loadtest.report.Summary;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
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
 * Runs the harness in-process for a few seconds against a dev-mode broker on port 0 and checks the report's
 * shape and its correctness counters (errors, seq gaps, responses), never its timings. Every run is bounded by
 * its own --duration and --grace; the class timeout bounds the rest.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LoadTestEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Tenants with guardrails, added to the dev configuration for the guardrail runs. */
    private static final String GUARDED_TENANTS = """
              limited:
                keys: [lt-limited-key]
                models: ["*"]
                limits: {requests_per_minute: 5}
              budgeted:
                keys: [lt-budget-key]
                models: ["*"]
                budgets: [{period: day, tokens: 40}]
            """;
    private static Broker broker;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() throws Exception {
        String dev;
        try (var in = ConfigLoader.class.getResourceAsStream(ConfigLoader.DEV_RESOURCE)) {
            dev = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String yaml = dev.replace("\ntenants:\n", "\ntenants:\n" + GUARDED_TENANTS);
        assertFalse(yaml.equals(dev), "the dev configuration has a tenants: section to add to");
        BrokerConfig config = new ConfigLoader(System::getenv).parse(yaml);
        broker = Broker.start(config.withListen(new BrokerConfig.Listen("127.0.0.1", 0)));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void a_chat_run_reports_every_contract_field_with_no_errors_and_no_seq_gaps() throws Exception {
        Run run = run("--scenario", "chat", "--sessions", "5", "--duration", "3s", "--think", "100ms",
                "--tokens", "12", "--ttft-ms", "20", "--tokens-per-second", "200");

        assertContractShape(run);
        assertClean(run);
        assertTrue(run.json.path("responses").path("completed").asLong() > 0, run.output);
        assertEquals(5, run.json.path("sessions_connected").asInt(), run.output);
        assertTrue(run.json.path(Summary.TTFT).path("count").asLong() > 0, run.output);
    }

    @Test
    void a_cancel_run_gets_every_cancel_acknowledged_and_no_stale_delta() throws Exception {
        Run run = run("--scenario", "cancel", "--sessions", "5", "--duration", "3s", "--think", "100ms",
                "--tokens", "40", "--ttft-ms", "20", "--tokens-per-second", "100", "--cancel-after", "1-5");

        assertContractShape(run);
        assertClean(run);
        JsonNode cancels = run.json.path("cancels");
        assertTrue(cancels.path("sent").asLong() > 0, run.output);
        assertEquals(cancels.path("sent").asLong(),
                cancels.path("acknowledged").asLong() + cancels.path("raced").asLong(), run.output);
        assertTrue(run.json.path("responses").path("cancelled").asLong() > 0, run.output);
        assertFalse(run.json.path("errors_by_code").has("stale_delta_after_done"), run.output);
    }

    @Test
    void an_open_workload_sends_its_requests_on_the_schedule() throws Exception {
        Run run = run("--scenario", "chat", "--sessions", "5", "--duration", "3s", "--rate", "10",
                "--tokens", "8", "--ttft-ms", "10", "--tokens-per-second", "400");

        assertContractShape(run);
        assertClean(run);
        assertTrue(run.json.path("responses").path("completed").asLong() > 0, run.output);
        JsonNode requests = run.json.path("requests");
        assertEquals(requests.path("scheduled").asLong(),
                requests.path("sent").asLong() + requests.path("unsent").asLong(), run.output);
        assertEquals("open", run.json.path("settings").path("workload").asText());
    }

    @Test
    void an_idle_run_reports_broker_memory_per_session() throws Exception {
        // The broker shares this JVM, so the figure includes the harness's own sessions: only its shape counts.
        Run run = run("--scenario", "idle", "--sessions", "20", "--duration", "3s", "--settle", "200ms",
                "--broker-pid", Long.toString(ProcessHandle.current().pid()));

        assertContractShape(run);
        assertClean(run);
        assertEquals(20, run.json.path("sessions_connected").asInt(), run.output);
        JsonNode memory = run.json.path("memory");
        for (String field : List.of("heap_before_bytes", "heap_after_bytes", "sessions_active_before",
                "sessions_active_after", "sessions_measured", "bytes_per_session")) {
            assertTrue(memory.path(field).isNumber(), () -> "memory." + field + " in " + run.output);
        }
        assertEquals(20, memory.path("sessions_measured").asLong(), run.output);
    }

    @Test
    void a_guardrail_run_against_5_requests_per_minute_counts_refusals_apart_from_errors() throws Exception {
        Run run = runAs("lt-limited-key", "--scenario", "guardrail", "--sessions", "3", "--duration", "3s",
                "--think", "100ms", "--tokens", "4", "--ttft-ms", "10", "--tokens-per-second", "400");

        assertContractShape(run);
        assertClean(run);
        JsonNode json = run.json;
        long completed = json.path("responses").path("completed").asLong();
        long refused = json.path("refusals").path("rate_limit_exceeded").asLong();
        // Five requests a minute, one of them possibly taken by the preflight's stamp probe; none refills in 3 s.
        assertTrue(completed >= 4 && completed <= 5, run.output);
        assertTrue(refused > 0, run.output);
        assertEquals(json.path("requests").path("sent").asLong(), completed + refused, run.output);
        assertEquals(0, json.path("refusals").path("insufficient_quota").asLong(), run.output);
        // The broker reports the limits with every admitted response and with every rate refusal.
        assertEquals(completed + refused, json.path("rate_limits_updated").asLong(), run.output);
        assertEquals(refused, json.path(Summary.REFUSAL).path("count").asLong(), run.output);
        assertTrue(run.output.contains("rate_limit_exceeded"), run.output);
    }

    @Test
    void a_budget_cuts_responses_mid_stream_and_then_refuses_with_insufficient_quota() throws Exception {
        Run run = runAs("lt-budget-key", "--scenario", "guardrail", "--sessions", "2", "--duration", "3s",
                "--think", "100ms", "--tokens", "200", "--ttft-ms", "10", "--tokens-per-second", "400",
                "--stamp", "off");

        assertContractShape(run);
        assertClean(run);
        JsonNode json = run.json;
        long cut = json.path("responses_cut_by_budget").asLong();
        assertTrue(cut >= 1 && cut <= 2, run.output);
        assertEquals(cut, json.path("responses").path("incomplete").asLong(), run.output);
        assertEquals(0, json.path("responses").path("completed").asLong(), run.output);
        assertTrue(json.path("refusals").path("insufficient_quota").asLong() > 0, run.output);
        assertTrue(run.output.contains("responses cut by a budget"), run.output);
    }

    @Test
    void bad_arguments_exit_with_2_and_name_the_flag() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"--sessions", "zero"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertEquals(LoadTest.EXIT_USAGE, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--sessions must be an integer"), err::toString);
    }

    @Test
    void an_unreachable_broker_exits_with_3_before_measuring() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"--url", "ws://127.0.0.1:" + port + "/v1/realtime", "--duration", "1s",
            "--connect-timeout", "2s"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertEquals(LoadTest.EXIT_UNREACHABLE, code, err::toString);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("cannot open a session"), err::toString);
    }

    @Test
    void a_wrong_key_is_refused_at_preflight_with_a_clear_message() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"--url", "ws://127.0.0.1:" + broker.port() + "/v1/realtime",
            "--key", "not-a-key", "--duration", "1s"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertEquals(LoadTest.EXIT_UNREACHABLE, code, err::toString);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("401"), err::toString);
    }

    /** The output, the parsed JSON report and the HTML report of one run. */
    private record Run(String output, JsonNode json, String html, int exitCode) {
    }

    private Run run(String... scenarioArgs) throws Exception {
        return runAs("dev-key", scenarioArgs);
    }

    private Run runAs(String key, String... scenarioArgs) throws Exception {
        Path report = dir.resolve("report.json");
        Path html = dir.resolve("report.html");
        List<String> args = new ArrayList<>(List.of("--url", "ws://127.0.0.1:" + broker.port() + "/v1/realtime",
                "--key", key, "--model", "sim-chat", "--grace", "10s", "--report", report.toString(),
                "--html", html.toString()));
        args.addAll(List.of(scenarioArgs));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Summary summary = LoadTest.run(Settings.parse(args.toArray(String[]::new)),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        return new Run(out.toString(StandardCharsets.UTF_8), JSON.readTree(report.toFile()), Files.readString(html),
                summary.exitCode());
    }

    private static void assertClean(Run run) {
        assertEquals(0, run.json.path("errors").asLong(), run.output);
        assertEquals(0, run.json.path("errors_by_code").size(), run.output);
        assertEquals(0, run.json.path("seq_gaps").asLong(), run.output);
        assertEquals(0, run.json.path("seq").path("duplicates").asLong(), run.output);
        assertEquals(0, run.exitCode, run.output);
        assertEquals(0, run.json.path("exit_code").asInt(), run.output);
    }

    private static void assertContractShape(Run run) {
        JsonNode json = run.json;
        assertTrue(json.path("scenario").isTextual(), run.output);
        for (String field : List.of("sessions", "duration_s", "errors", "seq_gaps", "events_per_second")) {
            assertTrue(json.path(field).isNumber(), () -> field + " in " + json);
        }
        assertNumbers(json, "responses", "completed", "cancelled", "failed");
        assertNumbers(json, "refusals", "rate_limit_exceeded", "insufficient_quota");
        assertTrue(json.path("responses_cut_by_budget").isNumber(), json::toString);
        assertNumbers(json, Summary.TTFT, "p50", "p90", "p99", "max");
        assertNumbers(json, Summary.BROKER_TTFT, "p50", "p99");
        assertNumbers(json, Summary.INTER_DELTA, "p50", "p99");
        assertNumbers(json, Summary.CANCEL_ACK, "p50", "p99");
        assertNumbers(json, Summary.CONNECT, "p50", "p99", "max");
        assertTrue(json.path("errors_by_code").isObject(), json::toString);
        assertTrue(json.path("settings").isObject(), json::toString);
        assertTrue(json.path("command_line").isArray(), json::toString);
        assertFalse(json.toString().contains("dev-key"), "the report must not carry the key");
        assertFalse(json.toString().contains("lt-limited-key"), "the report must not carry the key");
        assertTrue(run.html.contains("<svg"), "the HTML report has inline charts");
        assertFalse(run.html.contains("<script"), "the HTML report runs no scripts");
        assertFalse(run.html.contains("<link"), "the HTML report loads nothing");
        assertTrue(run.output.contains("result: OK"), run.output);
    }

    private static void assertNumbers(JsonNode json, String object, String... fields) {
        for (String field : fields) {
            assertTrue(json.path(object).path(field).isNumber(), () -> object + "." + field + " in " + json);
        }
    }
}
