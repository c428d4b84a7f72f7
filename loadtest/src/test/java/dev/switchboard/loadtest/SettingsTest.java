package dev.switchboard.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SettingsTest {

    private static String refusal(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> Settings.parse(args)).getMessage();
    }

    @Test
    void defaults_target_a_local_dev_broker_with_a_closed_chat_workload() {
        Settings s = Settings.parse();
        assertEquals(URI.create("ws://127.0.0.1:8080/v1/realtime?model=sim-chat"), s.endpoint());
        assertEquals("chat", s.scenario());
        assertEquals(10, s.sessions());
        assertEquals(Duration.ofSeconds(30), s.duration());
        assertFalse(s.open());
        assertEquals(1, s.cancelMin());
        assertEquals(25, s.cancelMax());
        assertEquals(URI.create("http://127.0.0.1:8080/metrics"), s.metricsUri());
    }

    @Test
    void durations_take_units_and_bare_numbers_are_seconds() {
        assertEquals(Duration.ofMillis(500), Settings.parseDuration("--x", "500ms"));
        assertEquals(Duration.ofSeconds(30), Settings.parseDuration("--x", "30"));
        assertEquals(Duration.ofMillis(1500), Settings.parseDuration("--x", "1.5s"));
        assertEquals(Duration.ofMinutes(2), Settings.parseDuration("--x", "2m"));
        assertEquals(Duration.ofHours(1), Settings.parseDuration("--x", "1h"));
    }

    @Test
    void the_model_is_added_to_the_url_unless_the_url_names_one() {
        assertEquals(URI.create("wss://b.example:443/v1/realtime?x=1&model=gpt%2Fx"),
                Settings.parse("--url", "wss://b.example:443/v1/realtime?x=1", "--model", "gpt/x").endpoint());
        assertEquals(URI.create("ws://h:1/v1/realtime?model=m"),
                Settings.parse("--url", "ws://h:1/v1/realtime?model=m").endpoint());
        assertEquals(URI.create("https://b.example:443/metrics"),
                Settings.parse("--url", "wss://b.example:443/v1/realtime").metricsUri());
        assertTrue(refusal("--url", "ws://h:1/v1/realtime?model=m", "--model", "n").contains("--model"));
    }

    @Test
    void every_refusal_names_the_flag_and_the_rule() {
        assertTrue(refusal("--sessions", "0").contains("--sessions must be between 1"));
        assertTrue(refusal("--duration", "soon").contains("--duration must be a duration"));
        assertTrue(refusal("--duration", "0s").contains("--duration must be greater than 0"));
        assertTrue(refusal("--scenario", "telepathy").contains("--scenario must be one of chat, cancel, idle, resume, "
                + "slow-consumer, voice"));
        assertTrue(refusal("--url", "http://h/v1/realtime").contains("--url must start with ws://"));
        assertTrue(refusal("--rate", "-1").contains("--rate must be between"));
        assertTrue(refusal("--stamp", "maybe").contains("--stamp must be one of auto, on, off"));
        assertTrue(refusal("--cancel-after", "5-2").contains("--cancel-after needs 1 <= N <= M"));
        assertTrue(refusal("--ramp", "10s", "--duration", "5s").contains("--ramp must not be longer"));
        assertTrue(refusal("--grace", "1h").contains("--grace must be at most"));
        assertTrue(refusal("--report", "/no/such/dir/r.json").contains("does not exist"));
        assertTrue(refusal("--tokens").contains("--tokens needs a value"));
        assertTrue(refusal("--bogus").contains("unknown argument '--bogus'"));
    }

    @Test
    void resume_and_slow_consumer_options_have_defaults_that_follow_the_token_count() {
        Settings s = Settings.parse("--scenario", "resume", "--tokens", "30");
        assertEquals(1, s.resume().dropMin());
        assertEquals(29, s.resume().dropMax());
        assertEquals(0.5, s.resume().disconnectProbability());
        assertEquals(Duration.ofMillis(100), s.resume().offline());
        assertFalse(s.resume().backlogMode());
        assertEquals(Duration.ofSeconds(20), s.slow().slowFor());
        assertEquals(1, Settings.parse("--sessions", "10").slow().count(10));
        assertEquals(0, Settings.parse("--slow-share", "0").slow().count(10));

        Settings backlog = Settings.parse("--scenario", "resume", "--backlog", "1000", "--tokens", "1200",
                "--disconnect-after", "2-4", "--offline", "1s");
        assertTrue(backlog.resume().backlogMode());
        assertEquals(2, backlog.resume().dropMin());
        assertEquals(4, backlog.resume().dropMax());
        assertEquals(1000, backlog.describe().get("backlog"));
    }

    @Test
    void resume_and_slow_consumer_refusals_name_the_flag_and_the_rule() {
        assertTrue(refusal("--backlog", "1000").contains("--backlog 1000 needs --tokens of at least 1001"));
        assertTrue(refusal("--offline", "2m").contains("--offline must be at most 60s"));
        assertTrue(refusal("--disconnect-prob", "1.5").contains("--disconnect-prob must be between 0 and 1"));
        assertTrue(refusal("--disconnect-after", "0").contains("--disconnect-after needs 1 <= N <= M"));
        assertTrue(refusal("--slow-share", "-0.1").contains("--slow-share must be between 0 and 1"));
        assertTrue(refusal("--slow-for", "0s").contains("--slow-for must be greater than 0"));
        assertTrue(refusal("--max-disconnects", "x").contains("--max-disconnects must be an integer"));
    }

    @Test
    void cluster_nodes_each_get_the_model_and_the_first_node_is_the_endpoint() {
        Settings s = Settings.parse("--scenario", "cluster", "--nodes", "ws://a:1/v1/realtime, ws://b:2/v1/realtime",
                "--broker-pids", "11,12");
        assertEquals(List.of(URI.create("ws://a:1/v1/realtime?model=sim-chat"),
                URI.create("ws://b:2/v1/realtime?model=sim-chat")), s.cluster().nodes());
        assertEquals(s.cluster().nodes().get(0), s.endpoint());
        assertEquals(List.of(11L, 12L), s.cluster().brokerPids());
        assertEquals("11,12", s.describe().get("broker_pids"));
        assertFalse(Settings.parse("--scenario", "resume").cluster().enabled());
    }

    @Test
    void cluster_refusals_name_the_flag_and_the_rule() {
        assertTrue(refusal("--scenario", "cluster").contains("--scenario cluster needs --nodes with at least two"));
        assertTrue(refusal("--scenario", "cluster", "--nodes", "ws://a:1/x").contains("at least two"));
        assertTrue(refusal("--nodes", "ws://a:1/x,ws://b:1/x").contains("--nodes is for --scenario cluster"));
        assertTrue(refusal("--scenario", "cluster", "--nodes", "ws://a:1/x,,ws://b:1/x")
                .contains("without empty entries"));
        assertTrue(refusal("--scenario", "cluster", "--nodes", "ws://a:1/x,http://b:1/x")
                .contains("--nodes must start with ws://"));
        assertTrue(refusal("--scenario", "cluster", "--url", "ws://a:1/x", "--nodes", "ws://a:1/x,ws://b:1/x")
                .contains("either --url or --nodes"));
        assertTrue(refusal("--scenario", "cluster", "--nodes", "ws://a:1/x,ws://b:1/x", "--broker-pids", "1")
                .contains("--broker-pids needs one process id per --nodes entry (2)"));
        assertTrue(refusal("--scenario", "cluster", "--nodes", "ws://a:1/x,ws://b:1/x", "--broker-pids", "1,x")
                .contains("--broker-pids entries must be process ids"));
        assertTrue(refusal("--scenario", "cluster", "--nodes", "ws://a:1/x?model=m,ws://b:1/x")
                .contains("name the model in every entry or in none"));
    }

    @Test
    void the_key_never_reaches_the_report_settings_or_command_line() {
        Settings s = Settings.parse("--key", "sk-secret", "--sessions", "2");
        assertFalse(s.describe().toString().contains("sk-secret"));
        assertFalse(s.commandLine().toString().contains("sk-secret"));
        assertEquals("sk-secret", s.key());
    }

    @Test
    void the_help_text_lists_every_flag_the_parser_accepts() {
        for (String flag : new String[] {"--url", "--key", "--model", "--scenario", "--sessions", "--duration",
            "--rate", "--arrival", "--ramp", "--think", "--grace", "--tokens", "--ttft-ms", "--tokens-per-second",
            "--no-sim", "--stamp", "--cancel-after", "--settle", "--broker-pid", "--seed", "--connect-timeout",
            "--report", "--html", "--help", "--disconnect-prob", "--max-disconnects", "--disconnect-after",
            "--offline", "--backlog", "--slow-share", "--slow-for", "--slow-tokens", "--slow-tokens-per-second",
            "--nodes", "--broker-pids"}) {
            assertTrue(Settings.usage().contains(flag + " "), flag);
        }
    }
}
