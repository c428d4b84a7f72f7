package dev.switchboard.loadtest.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.simulator.ProviderSimulator;
import dev.switchboard.simulator.SimulatorConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The client against the real provider simulator on loopback. Assertions are on counts that hold whatever the
 * machine's speed: every request of the window is accounted for, never on how long anything took.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(60)
class PeerBenchTest {
    private static final int TOKENS = 7;
    private static ProviderSimulator simulator;

    @BeforeAll
    static void start() throws Exception {
        simulator = ProviderSimulator.start(SimulatorConfig.loopbackEphemeral());
    }

    @AfterAll
    static void stop() {
        simulator.close();
    }

    @Test
    void sse_streams_count_every_token_of_the_streams_that_finished_in_the_window() throws Exception {
        long self = ProcessHandle.current().pid();
        BenchOptions options = BenchOptions.parse(new String[] {"--url", simulator.baseUri().toString(),
            "--concurrency", "3", "--warmup", "0s", "--duration", "2s", "--tokens", Integer.toString(TOKENS),
            "--gap-ms", "1", "--proxy-pids", Long.toString(self)});
        Map<String, Object> result = PeerBench.measure(options);

        long completed = (Long) result.get("completed");
        long tokens = (Long) result.get("tokens");
        assertEquals(0L, result.get("errors"));
        assertEquals(true, result.get("drained"));
        assertTrue(completed >= 1, result.toString());
        // No warm-up: every counted token belongs to a stream sent in the window; at most 3 were cut at its end.
        assertTrue(tokens >= completed * TOKENS && tokens <= (completed + 3) * TOKENS, result.toString());
        assertTrue((Long) result.get("latency_count") >= completed, result.toString());
        assertTrue((Long) result.get("proxy_ticks") >= 0, result.toString());
    }

    @Test
    void realtime_round_trips_are_timed_one_per_reply() throws Exception {
        String url = "ws" + simulator.baseUri().toString().substring("http".length()) + "/realtime";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = PeerBench.run(new String[] {"--mode", "ws", "--url", url, "--concurrency", "2", "--warmup", "0s",
            "--duration", "1s", "--label", "t"}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);

        String line = out.toString(StandardCharsets.UTF_8);
        assertEquals(PeerBench.EXIT_OK, code, line);
        Map<?, ?> result = new ObjectMapper().readValue(line, Map.class);
        long completed = ((Number) result.get("completed")).longValue();
        assertTrue(completed >= 1, line);
        assertEquals(completed, ((Number) result.get("latency_count")).longValue(), line);
        assertEquals(0L, ((Number) result.get("proxy_ticks")).longValue(), line);
    }

    @Test
    void a_refused_target_counts_errors_and_still_ends() throws Exception {
        BenchOptions options = BenchOptions.parse(new String[] {"--url", "http://127.0.0.1:1/v1",
            "--concurrency", "2", "--warmup", "0s", "--duration", "200ms", "--grace", "1s"});
        Map<String, Object> result = PeerBench.measure(options);
        assertEquals(2L, result.get("errors"));
        assertEquals(0L, result.get("completed"));
    }

    @Test
    void cpu_ticks_are_read_after_the_command_name_whatever_it_holds() {
        String stat = "42 (a) b (c)) S 1 42 42 0 -1 4194560 100 0 0 0 250 31 0 0 20 0 5 0 123 0 0";
        assertEquals(281, ProcCpu.parse(stat));
        assertTrue(ProcCpu.ticks(List.of(ProcessHandle.current().pid())).isPresent());
        assertEquals(0L, ProcCpu.ticks(List.of()).getAsLong());
    }

    @Test
    void a_jvms_compiler_threads_are_found_by_name_and_counted_apart() {
        assertTrue(ProcCpu.isCompilerThread("7 (C2 CompilerThre) S 1 2 3 0 -1 0 0 0 0 0 40 2 0 0 20 0 1 0"));
        assertTrue(ProcCpu.isCompilerThread("8 (C1 CompilerThre) S 1 2 3 0 -1 0 0 0 0 0 9 1 0 0 20 0 1 0"));
        assertFalse(ProcCpu.isCompilerThread("9 (switchboard-sha) S 1 2 3 0 -1 0 0 0 0 0 9 1 0 0 20 0 1 0"));
        assertFalse(ProcCpu.isCompilerThread("10 (x C2 y) S 1 2 3 0 -1 0 0 0 0 0 9 1 0 0 20 0 1 0"));
        long self = ProcessHandle.current().pid();
        // Whatever this JVM's compiler threads used (HotSpot starts and ends some as needed) is part of its time.
        long compiler = ProcCpu.compilerTicks(List.of(self)).getAsLong();
        assertTrue(compiler >= 0 && compiler <= ProcCpu.ticks(List.of(self)).getAsLong());
        assertEquals(0L, ProcCpu.compilerTicks(List.of()).getAsLong());
    }

    @Test
    void gap_zero_asks_the_mock_for_no_pacing() {
        BenchOptions paced = BenchOptions.parse(new String[] {"--url", "http://x/v1", "--gap-ms", "20"});
        BenchOptions unpaced = BenchOptions.parse(new String[] {"--url", "http://x/v1"});
        assertEquals("50.000", paced.tokensPerSecond());
        assertEquals("1000000000", unpaced.tokensPerSecond());
        assertTrue(SseLoad.body(paced).contains("\"sim_tokens_per_second\":\"50.000\""));
    }
}
