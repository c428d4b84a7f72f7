package dev.switchboard.loadtest.peers;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The peer benchmark's client: {@code java -cp switchboard-loadtest.jar dev.switchboard.loadtest.peers.PeerBench
 * --mode sse|ws --url URL …} ({@link BenchOptions#usage()}). It runs one closed workload against one target for a
 * warm-up and a measured window, samples the given proxy and mock processes' CPU from {@code /proc} exactly at the
 * window's edges, and prints one JSON object on one line: the counts, the latency percentiles in microseconds, the
 * CPU ticks and the machine's load average at the window's end. Exit codes: 0 done with no errors, 1 done with
 * errors or streams that did not finish, 2 bad arguments. Everything runs on the calling thread except the load's
 * callbacks (see the package notes).
 */
public final class PeerBench {
    static final int EXIT_OK = 0;
    static final int EXIT_ERRORS = 1;
    static final int EXIT_USAGE = 2;
    private static final ObjectMapper JSON = new ObjectMapper();

    private PeerBench() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs with the given arguments; returns the exit code instead of exiting. */
    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        if (Arrays.asList(args).contains("--help")) {
            out.print(BenchOptions.usage());
            return EXIT_OK;
        }
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("peers: " + e.getMessage());
            return EXIT_USAGE;
        }
        Map<String, Object> result = measure(options);
        out.println(JSON.writeValueAsString(result));
        boolean clean = ((Long) result.get("errors")) == 0 && (Boolean) result.get("drained");
        return clean ? EXIT_OK : EXIT_ERRORS;
    }

    /** One run: load, window, CPU samples at its edges, drain; the result as an ordered map. */
    static Map<String, Object> measure(BenchOptions options) throws Exception {
        try (Load load = options.mode().equals("ws") ? new EchoLoad(options) : new SseLoad(options)) {
            load.open();
            Window window = Window.after(System.nanoTime(), options.warmup(), options.duration());
            Tally tally = new Tally(window);
            load.start(tally);
            sleepUntil(window.startNanos());
            Cpu before = Cpu.sample(options);
            sleepUntil(window.endNanos());
            Cpu after = Cpu.sample(options);
            String loadAverage = loadAverage();
            boolean drained = load.awaitDrained(options.grace());
            Map<String, Object> result = result(options, tally, before.to(after), drained);
            result.put("loadavg", loadAverage);
            return result;
        }
    }

    private static Map<String, Object> result(BenchOptions options, Tally tally, Cpu used, boolean drained) {
        Histogram latency = tally.latencies();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("label", options.label());
        r.put("mode", options.mode());
        r.put("url", options.url().toString());
        r.put("concurrency", options.concurrency());
        r.put("seconds", tally.window().seconds());
        r.put("completed", tally.completedCount());
        r.put("tokens", tally.tokenCount());
        r.put("errors", tally.errorCount());
        r.put("drained", drained);
        r.put("latency_count", latency.getTotalCount());
        for (double p : new double[] {50, 90, 99, 99.9}) {
            r.put("latency_p" + (p == 99.9 ? "999" : Integer.toString((int) p)) + "_us",
                    latency.getValueAtPercentile(p) / 1000.0);
        }
        r.put("latency_max_us", latency.getMaxValue() / 1000.0);
        r.put("proxy_ticks", used.proxy());
        r.put("proxy_jit_ticks", used.proxyJit());
        r.put("mock_ticks", used.mock());
        r.put("client_ticks", used.client());
        return r;
    }

    /** The machine's {@code /proc/loadavg} (1, 5 and 15 minutes) at the window's end, or "" where there is none. */
    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return String.join(" ", Arrays.copyOf(fields, Math.min(3, fields.length)));
        } catch (IOException e) {
            return "";
        }
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long left = nanos - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    /**
     * CPU ticks of the proxy (and of its JIT compiler threads among them), the mock and this client at one instant;
     * -1 where a process could not be read.
     */
    private record Cpu(long proxy, long proxyJit, long mock, long client) {
        static Cpu sample(BenchOptions options) {
            return new Cpu(or(ProcCpu.ticks(options.proxyPids())), or(ProcCpu.compilerTicks(options.proxyPids())),
                    or(ProcCpu.ticks(options.mockPids())), or(ProcCpu.self()));
        }

        Cpu to(Cpu later) {
            return new Cpu(diff(proxy, later.proxy), diff(proxyJit, later.proxyJit), diff(mock, later.mock),
                    diff(client, later.client));
        }

        private static long or(OptionalLong ticks) {
            return ticks.orElse(-1);
        }

        private static long diff(long a, long b) {
            return a < 0 || b < 0 ? -1 : b - a;
        }
    }
}
