package dev.switchboard.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The voice scenario against a dev broker's sim-realtime: both barge-in kinds, nothing stale, no seq gap. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class VoiceEndToEndTest {
    private static Broker broker;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = Broker.start(new ConfigLoader(System::getenv).loadDev()
                .withListen(new BrokerConfig.Listen("127.0.0.1", 0)));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void voice_sessions_barge_in_both_ways_with_no_stale_event_and_no_seq_gap() throws Exception {
        Path report = dir.resolve("voice.json");
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        int exit = Main.run(new String[] {"--url", "ws://127.0.0.1:" + broker.port() + "/v1/realtime",
            "--key", "dev-key", "--model", "sim-realtime", "--scenario", "voice", "--sessions", "4",
            "--duration", "6s", "--report", report.toString()},
                new PrintStream(text, true, StandardCharsets.UTF_8), System.err);
        String output = text.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, output);
        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertEquals(0, json.path("stale_events_after_ack").asLong(), output);
        assertEquals(0, json.path("seq_gaps").asLong(), output);
        assertEquals(0, json.path("errors").asLong(), output);
        assertEquals(4, json.path("sessions_connected").asInt(), output);
        assertTrue(json.path("bargein_latency_ms").path("client").path("count").asLong() > 0, output);
        assertTrue(json.path("bargein_latency_ms").path("speech").path("count").asLong() > 0, output);
    }

    @Test
    void the_brokers_histogram_p99_is_the_bound_of_the_bucket_holding_the_99th_percent() {
        Map<String, Double> scraped = new TreeMap<>();
        scraped.put("broker_bargein_latency_seconds_bucket{model=\"m\",reason=\"r\",le=\"0.001\"}", 50.0);
        scraped.put("broker_bargein_latency_seconds_bucket{model=\"m\",reason=\"r\",le=\"0.002\"}", 98.0);
        scraped.put("broker_bargein_latency_seconds_bucket{model=\"m\",reason=\"r\",le=\"0.004\"}", 100.0);
        scraped.put("broker_bargein_latency_seconds_bucket{model=\"m\",reason=\"r\",le=\"+Inf\"}", 100.0);
        assertEquals(Map.of("r", 4.0), VoiceRun.brokerP99(scraped));
    }
}
