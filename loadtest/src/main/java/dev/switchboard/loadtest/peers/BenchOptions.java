package dev.switchboard.loadtest.peers;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The peer client's command line, validated. Immutable.
 *
 * @param mode {@code sse} or {@code ws}
 * @param url for {@code sse} the base URL ({@code /chat/completions} is appended), for {@code ws} the Realtime URL
 * @param key bearer key, empty for none
 * @param model the {@code model} of every request (SSE body, or the WebSocket URL's query)
 * @param concurrency streams or connections, each with one request in flight
 * @param warmup load before the window that is not counted
 * @param duration the measured window
 * @param grace how long in-flight requests may finish after the window before the client gives up on them
 * @param tokens {@code sim_tokens} of every SSE request
 * @param ttftMs {@code sim_ttft_ms} of every SSE request
 * @param gapMs the inter-token gap asked of the mock; 0 means no pacing
 * @param proxyPids processes whose CPU is the proxy's (empty for direct runs)
 * @param mockPids processes whose CPU is the mock's
 * @param label free text copied into the result line
 */
record BenchOptions(String mode, URI url, String key, String model, int concurrency, Duration warmup,
        Duration duration, Duration grace, int tokens, int ttftMs, double gapMs, List<Long> proxyPids,
        List<Long> mockPids, String label) {

    BenchOptions {
        if (!mode.equals("sse") && !mode.equals("ws")) {
            throw new IllegalArgumentException("--mode must be sse or ws");
        }
        require(concurrency >= 1 && concurrency <= 10_000, "--concurrency must be between 1 and 10000");
        require(!duration.isZero() && !duration.isNegative(), "--duration must be > 0");
        require(duration.compareTo(Duration.ofMinutes(10)) <= 0, "--duration must be at most 10m");
        require(warmup.compareTo(Duration.ofMinutes(5)) <= 0 && !warmup.isNegative(), "--warmup must be 0 to 5m");
        require(grace.compareTo(Duration.ofMinutes(1)) <= 0 && !grace.isNegative(), "--grace must be 0 to 1m");
        require(tokens >= 1 && tokens <= 100_000, "--tokens must be between 1 and 100000");
        require(ttftMs >= 0 && ttftMs <= 60_000, "--ttft-ms must be between 0 and 60000");
        require(gapMs >= 0 && gapMs <= 10_000, "--gap-ms must be between 0 and 10000");
        proxyPids = List.copyOf(proxyPids);
        mockPids = List.copyOf(mockPids);
    }

    /** Parses {@code --flag value} pairs; an unknown flag or a bad value is an {@link IllegalArgumentException}. */
    static BenchOptions parse(String[] args) {
        Builder b = new Builder();
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            b.set(args[i], args[i + 1]);
        }
        if (b.url == null) {
            throw new IllegalArgumentException("--url is required");
        }
        String model = !b.model.isEmpty() ? b.model : b.mode.equals("ws") ? "sim-realtime" : "sim-chat";
        return new BenchOptions(b.mode, b.url, b.key, model, b.concurrency, b.warmup, b.duration, b.grace,
                b.tokens, b.ttftMs, b.gapMs, b.proxyPids, b.mockPids, b.label);
    }

    /** {@code sim_tokens_per_second} for {@link #gapMs}: a gap of 0 asks for no pacing at all. */
    String tokensPerSecond() {
        return gapMs == 0 ? "1000000000" : String.format(Locale.ROOT, "%.3f", 1000.0 / gapMs);
    }

    static String usage() {
        return """
                java -cp switchboard-loadtest.jar dev.switchboard.loadtest.peers.PeerBench --url URL [options]
                  --mode sse|ws          chat-completions streams (default) or Realtime round trips
                  --url URL              sse: base URL, e.g. http://127.0.0.1:8080/v1; ws: ws://…/v1/realtime
                  --key KEY              bearer key (default none)
                  --model NAME           sse default sim-chat, ws default sim-realtime
                  --concurrency N        streams or connections (default 1)
                  --warmup D --duration D --grace D   (defaults 3s, 10s, 10s)
                  --tokens N --ttft-ms MS --gap-ms MS  sse steering of the mock (defaults 50, 0, 0)
                  --proxy-pids P,P --mock-pids P,P     CPU sampled from /proc at the window's edges
                  --label TEXT           copied into the JSON result line
                """;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Mutable parse state; lives only inside {@link #parse}. */
    private static final class Builder {
        String mode = "sse";
        URI url;
        String key = "";
        String model = "";
        int concurrency = 1;
        Duration warmup = Duration.ofSeconds(3);
        Duration duration = Duration.ofSeconds(10);
        Duration grace = Duration.ofSeconds(10);
        int tokens = 50;
        int ttftMs;
        double gapMs;
        List<Long> proxyPids = List.of();
        List<Long> mockPids = List.of();
        String label = "";

        void set(String flag, String value) {
            try {
                switch (flag) {
                    case "--mode" -> mode = value;
                    case "--url" -> url = URI.create(value);
                    case "--key" -> key = value;
                    case "--model" -> model = value;
                    case "--concurrency" -> concurrency = Integer.parseInt(value);
                    case "--warmup" -> warmup = duration(value);
                    case "--duration" -> duration = duration(value);
                    case "--grace" -> grace = duration(value);
                    case "--tokens" -> tokens = Integer.parseInt(value);
                    case "--ttft-ms" -> ttftMs = Integer.parseInt(value);
                    case "--gap-ms" -> gapMs = Double.parseDouble(value);
                    case "--proxy-pids" -> proxyPids = pids(value);
                    case "--mock-pids" -> mockPids = pids(value);
                    case "--label" -> label = value;
                    default -> throw new IllegalArgumentException("unknown flag " + flag);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " takes a number, not '" + value + "'");
            }
        }

        private static Duration duration(String text) {
            if (text.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
            }
            String seconds = text.endsWith("s") ? text.substring(0, text.length() - 1) : text;
            return Duration.ofMillis(Math.round(Double.parseDouble(seconds) * 1000));
        }

        private static List<Long> pids(String text) {
            List<Long> pids = new ArrayList<>();
            for (String part : text.split(",")) {
                if (!part.isBlank()) {
                    pids.add(Long.parseLong(part.trim()));
                }
            }
            return pids;
        }
    }
}
