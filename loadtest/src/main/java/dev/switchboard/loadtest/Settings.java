package dev.switchboard.loadtest;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The validated settings of one run, parsed from the command line by {@link #parse}. Immutable.
 *
 * @param url the WebSocket URL as given ({@code ws://host:port/v1/realtime})
 * @param endpoint the URL actually connected to, with the {@code model} query parameter
 * @param key the tenant API key, sent as {@code Authorization: Bearer KEY}; never printed or reported
 * @param model the model, or empty when {@code --url} already names one
 * @param scenario the scenario name
 * @param sessions concurrent sessions
 * @param duration the measured window, ramp included
 * @param rate open workload: responses per second across all sessions; empty for the closed workload
 * @param arrival spacing of open-workload requests
 * @param ramp connects are spread evenly over this time
 * @param think closed workload: pause between the end of a response and the next request
 * @param tokens {@code sim_tokens}
 * @param ttftMs {@code sim_ttft_ms}
 * @param tokensPerSecond {@code sim_tokens_per_second}
 * @param simMetadata whether to send the {@code sim_*} metadata at all
 * @param stamp whether to ask the simulator for delta timestamps
 * @param cancelMin cancel scenario: fewest deltas before cancelling
 * @param cancelMax cancel scenario: most deltas before cancelling
 * @param seed seed of every random choice
 * @param connectTimeout WebSocket upgrade timeout
 * @param grace the longest wait for in-flight responses after the duration
 * @param settle idle scenario: wait after the last connect before the memory sample
 * @param brokerPid the broker's process id for {@code jcmd PID GC.run}
 * @param resume resume scenario: when and how sessions drop and resume their connection
 * @param slow slow-consumer scenario: which sessions stop reading, and for how long
 * @param report where to write the JSON report
 * @param html where to write the HTML report
 * @param pin cores to pin the broker and the harness to ({@code taskset}), if any
 * @param bargeKinds voice scenario: the barge-in kinds, dealt to the sessions in turn
 * @param cluster cluster scenario: the nodes sessions are spread over and their broker pids
 * @param commandLine the arguments as given, with the key redacted
 */
public record Settings(
        URI url, URI endpoint, String key, Optional<String> model, String scenario, int sessions, Duration duration,
        OptionalDouble rate, Arrival arrival, Duration ramp, Duration think, int tokens, long ttftMs,
        double tokensPerSecond, boolean simMetadata, StampMode stamp, int cancelMin, int cancelMax, long seed,
        Duration connectTimeout, Duration grace, Duration settle, OptionalLong brokerPid, ResumeOptions resume,
        SlowOptions slow, Optional<Path> report, Optional<Path> html, PinOptions pin, List<String> bargeKinds,
        ClusterOptions cluster, List<String> commandLine) {

    /** Every voice barge-in kind, in the order they are dealt to sessions. */
    public static final List<String> BARGE_KINDS = List.of("client", "speech", "broker_vad");

    /** The longest accepted grace period: a run must stay bounded. */
    public static final Duration MAX_GRACE = Duration.ofMinutes(5);
    private static final String REDACTED = "(redacted)";
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)?");

    /** Spacing of open-workload requests. */
    public enum Arrival {
        /** Exactly {@code 1/rate} apart. */
        UNIFORM,
        /** Exponentially distributed gaps with mean {@code 1/rate} (a Poisson process), from {@code --seed}. */
        POISSON
    }

    /** Whether responses ask the simulator to stamp deltas ({@code sim_stamp}). */
    public enum StampMode {
        /** Probe once before the run and stamp if the simulator supports it. */
        AUTO,
        /** Always ask. */
        ON,
        /** Never ask. */
        OFF
    }

    /** The longest {@code --offline}: the broker keeps a dropped session for {@code sessions.resume_ttl}. */
    public static final Duration MAX_OFFLINE = Duration.ofMinutes(1);

    public Settings {
        commandLine = List.copyOf(commandLine);
    }

    /**
     * The resume scenario's options.
     *
     * @param disconnectProbability the chance that a response drops its connection, 0 to 1
     * @param maxDisconnects the most drops per session
     * @param dropMin fewest deltas of a response received before its drop
     * @param dropMax most deltas received before the drop
     * @param offline how long a dropped session stays away before it reconnects
     * @param backlog backlog mode when positive: the number of missed events whose replay is timed; 0 for the
     *                random-drop mode
     */
    public record ResumeOptions(double disconnectProbability, int maxDisconnects, int dropMin, int dropMax,
                                Duration offline, int backlog) {
        /** Whether this is the backlog mode ({@code --backlog N}). */
        public boolean backlogMode() {
            return backlog > 0;
        }
    }

    /**
     * Pinning with {@code taskset} (Linux, same machine).
     *
     * @param brokerCore the core for every thread of {@code --broker-pid}, which it needs
     * @param selfCore the core for every thread of the harness
     */
    public record PinOptions(OptionalInt brokerCore, OptionalInt selfCore) {
    }

    /**
     * The slow-consumer scenario's options.
     *
     * @param share the share of sessions that stop reading, 0 to 1
     * @param slowFor how long a slow session stops reading (at most until the end of the duration)
     * @param tokens {@code sim_tokens} of a slow session's one response
     * @param tokensPerSecond {@code sim_tokens_per_second} of that response
     */
    public record SlowOptions(double share, Duration slowFor, int tokens, double tokensPerSecond) {
        /** How many of {@code sessions} are slow: the share, rounded to the nearest session. */
        public int count(int sessions) {
            return (int) Math.round(share * sessions);
        }
    }

    /** Whether this is an open workload ({@code --rate}). */
    public boolean open() {
        return rate.isPresent();
    }

    /** {@code http(s)://host:port/metrics} of the broker behind {@link #url}. */
    public URI metricsUri() {
        String scheme = url.getScheme().equalsIgnoreCase("wss") ? "https" : "http";
        return URI.create(scheme + "://" + url.getRawAuthority() + "/metrics");
    }

    /** The effective settings for the report, in a stable order; the key is redacted. */
    public Map<String, Object> describe() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("url", url.toString());
        map.put("endpoint", endpoint.toString());
        map.put("key", REDACTED);
        map.put("model", model.orElse(""));
        map.put("scenario", scenario);
        map.put("sessions", sessions);
        map.put("duration_s", seconds(duration));
        map.put("workload", open() ? "open" : "closed");
        map.put("rate", rate.isPresent() ? rate.getAsDouble() : 0.0);
        map.put("arrival", arrival.name().toLowerCase(Locale.ROOT));
        map.put("ramp_s", seconds(ramp));
        map.put("think_s", seconds(think));
        map.put("tokens", tokens);
        map.put("ttft_ms", ttftMs);
        map.put("tokens_per_second", tokensPerSecond);
        map.put("sim_metadata", simMetadata);
        map.put("stamp", stamp.name().toLowerCase(Locale.ROOT));
        map.put("cancel_after", cancelMin + "-" + cancelMax);
        map.put("seed", seed);
        map.put("connect_timeout_s", seconds(connectTimeout));
        map.put("grace_s", seconds(grace));
        map.put("settle_s", seconds(settle));
        map.put("broker_pid", brokerPid.isPresent() ? brokerPid.getAsLong() : 0L);
        map.put("disconnect_prob", resume.disconnectProbability());
        map.put("max_disconnects", resume.maxDisconnects());
        map.put("disconnect_after", resume.dropMin() + "-" + resume.dropMax());
        map.put("offline_s", seconds(resume.offline()));
        map.put("backlog", resume.backlog());
        map.put("slow_share", slow.share());
        map.put("slow_for_s", seconds(slow.slowFor()));
        map.put("slow_tokens", slow.tokens());
        map.put("slow_tokens_per_second", slow.tokensPerSecond());
        map.put("report", report.map(Path::toString).orElse(""));
        map.put("html", html.map(Path::toString).orElse(""));
        map.put("pin_broker", pin.brokerCore().orElse(-1));
        map.put("pin_self", pin.selfCore().orElse(-1));
        map.put("barge_in", String.join(",", bargeKinds));
        map.put("nodes", String.join(",", cluster.nodes().stream().map(URI::toString).toList()));
        map.put("broker_pids", String.join(",", cluster.brokerPids().stream().map(String::valueOf).toList()));
        return map;
    }

    static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    /**
     * Parses and validates command-line arguments.
     *
     * @throws IllegalArgumentException with a message naming the flag and the rule, for any invalid argument
     */
    public static Settings parse(String... args) {
        return new Parser(args).parse();
    }

    /** The {@code --help} text. */
    public static String usage() {
        return Usage.TEXT;
    }

    /** Parses a duration: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, or a bare number of seconds. */
    static Duration parseDuration(String flag, String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(flag + " must be a duration such as 500ms, 30s, 2m or 1h, not '"
                    + text + "'");
        }
        double amount = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double nanos = switch (unit) {
            case "ms" -> amount * 1e6;
            case "m" -> amount * 60e9;
            case "h" -> amount * 3600e9;
            default -> amount * 1e9;
        };
        if (nanos > Duration.ofDays(7).toNanos()) {
            throw new IllegalArgumentException(flag + " must be at most 7 days");
        }
        return Duration.ofNanos((long) nanos);
    }

    /** One pass over the arguments; each value is checked as it is read. */
    private static final class Parser {
        private final String[] args;
        private int i;
        private String url = "ws://127.0.0.1:8080/v1/realtime";
        private String key = "dev-key";
        private Optional<String> model = Optional.empty();
        private String scenario = "chat";
        private int sessions = 10;
        private Duration duration = Duration.ofSeconds(30);
        private OptionalDouble rate = OptionalDouble.empty();
        private Arrival arrival = Arrival.UNIFORM;
        private Duration ramp = Duration.ZERO;
        private Duration think = Duration.ofSeconds(1);
        private int tokens = 50;
        private long ttftMs = 150;
        private double tokensPerSecond = 40;
        private boolean simMetadata = true;
        private StampMode stamp = StampMode.AUTO;
        private int cancelMin;
        private int cancelMax;
        private long seed = 1;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration grace = Duration.ofSeconds(10);
        private Duration settle = Duration.ofSeconds(2);
        private OptionalLong brokerPid = OptionalLong.empty();
        private double disconnectProbability = 0.5;
        private int maxDisconnects = 10;
        private int dropMin;
        private int dropMax;
        private Duration offline = Duration.ofMillis(100);
        private int backlog;
        private double slowShare = 0.1;
        private Duration slowFor = Duration.ofSeconds(20);
        private int slowTokens = 20_000;
        private double slowTokensPerSecond = 5_000;
        private Optional<Path> report = Optional.empty();
        private Optional<Path> html = Optional.empty();
        private OptionalInt pinBroker = OptionalInt.empty();
        private OptionalInt pinSelf = OptionalInt.empty();
        private List<String> bargeKinds = BARGE_KINDS;
        private boolean urlGiven;
        private List<String> nodes = List.of();
        private List<Long> brokerPids = List.of();

        Parser(String[] args) {
            this.args = args.clone();
        }

        Settings parse() {
            for (i = 0; i < args.length; i++) {
                String flag = args[i];
                switch (flag) {
                    case "--url" -> {
                        url = value(flag);
                        urlGiven = true;
                    }
                    case "--nodes" -> nodes = ClusterOptions.entries(flag, value(flag));
                    case "--broker-pids" -> brokerPids = ClusterOptions.pids(flag, value(flag));
                    case "--key" -> key = nonEmpty(flag, value(flag));
                    case "--model" -> model = Optional.of(nonEmpty(flag, value(flag)));
                    case "--scenario" -> scenario = scenario(value(flag));
                    case "--sessions" -> sessions = (int) integer(flag, 1, 1_000_000);
                    case "--duration" -> duration = positive(flag, parseDuration(flag, value(flag)));
                    case "--rate" -> rate = OptionalDouble.of(decimal(flag, 0.001, 1_000_000));
                    case "--arrival" -> arrival = choice(flag, Arrival.class);
                    case "--ramp" -> ramp = parseDuration(flag, value(flag));
                    case "--think" -> think = parseDuration(flag, value(flag));
                    case "--tokens" -> tokens = (int) integer(flag, 1, 100_000);
                    case "--ttft-ms" -> ttftMs = integer(flag, 0, 60_000);
                    case "--tokens-per-second" -> tokensPerSecond = decimal(flag, 0.1, 1e9);
                    case "--no-sim" -> simMetadata = false;
                    case "--stamp" -> stamp = choice(flag, StampMode.class);
                    case "--cancel-after" -> {
                        int[] range = range(flag, value(flag));
                        cancelMin = range[0];
                        cancelMax = range[1];
                    }
                    case "--disconnect-prob" -> disconnectProbability = decimal(flag, 0, 1);
                    case "--max-disconnects" -> maxDisconnects = (int) integer(flag, 0, 100_000);
                    case "--disconnect-after" -> {
                        int[] range = range(flag, value(flag));
                        dropMin = range[0];
                        dropMax = range[1];
                    }
                    case "--offline" -> offline = parseDuration(flag, value(flag));
                    case "--backlog" -> backlog = (int) integer(flag, 1, 100_000);
                    case "--slow-share" -> slowShare = decimal(flag, 0, 1);
                    case "--slow-for" -> slowFor = positive(flag, parseDuration(flag, value(flag)));
                    case "--slow-tokens" -> slowTokens = (int) integer(flag, 1, 100_000);
                    case "--slow-tokens-per-second" -> slowTokensPerSecond = decimal(flag, 0.1, 1e9);
                    case "--seed" -> seed = integer(flag, Long.MIN_VALUE, Long.MAX_VALUE);
                    case "--connect-timeout" -> connectTimeout = positive(flag, parseDuration(flag, value(flag)));
                    case "--grace" -> grace = parseDuration(flag, value(flag));
                    case "--settle" -> settle = parseDuration(flag, value(flag));
                    case "--broker-pid" -> brokerPid = OptionalLong.of(integer(flag, 1, Long.MAX_VALUE));
                    case "--report" -> report = Optional.of(outputFile(flag, value(flag)));
                    case "--html" -> html = Optional.of(outputFile(flag, value(flag)));
                    case "--pin-broker" -> pinBroker = OptionalInt.of((int) integer(flag, 0, 4095));
                    case "--pin-self" -> pinSelf = OptionalInt.of((int) integer(flag, 0, 4095));
                    case "--barge-in" -> bargeKinds = kinds(flag, value(flag));
                    default -> throw new IllegalArgumentException("unknown argument '" + flag + "'");
                }
            }
            return build();
        }

        private Settings build() {
            checkCluster();
            URI uri = webSocketUri("--url", nodes.isEmpty() ? url : nodes.get(0));
            if (ramp.compareTo(duration) > 0) {
                throw new IllegalArgumentException("--ramp must not be longer than --duration");
            }
            if (grace.compareTo(MAX_GRACE) > 0) {
                throw new IllegalArgumentException("--grace must be at most " + MAX_GRACE.toMinutes() + "m");
            }
            if (cancelMin == 0) {
                cancelMin = 1;
                cancelMax = Math.max(1, tokens / 2);
            }
            if (dropMin == 0) {
                dropMin = 1;
                dropMax = Math.max(1, tokens - 1);
            }
            if (offline.compareTo(MAX_OFFLINE) > 0) {
                throw new IllegalArgumentException("--offline must be at most " + MAX_OFFLINE.toSeconds()
                        + "s (the broker keeps a dropped session for sessions.resume_ttl, 60 s by default)");
            }
            if (backlog > 0 && tokens < backlog + 1) {
                throw new IllegalArgumentException("--backlog " + backlog + " needs --tokens of at least "
                        + (backlog + 1) + " (the first delta arrives before the drop)");
            }
            if (pinBroker.isPresent() && brokerPid.isEmpty()) {
                throw new IllegalArgumentException("--pin-broker needs --broker-pid");
            }
            if (!simMetadata && stamp == StampMode.ON) {
                throw new IllegalArgumentException("--stamp on needs the simulator metadata; drop --no-sim");
            }
            boolean urlHasModel = hasModel(uri);
            if (urlHasModel && model.isPresent()) {
                throw new IllegalArgumentException("give the model either in --url or with --model, not both");
            }
            if (!urlHasModel && model.isEmpty()) {
                model = Optional.of("sim-chat");
            }
            URI endpoint = urlHasModel ? uri : withModel(uri);
            List<URI> nodeEndpoints = new ArrayList<>();
            for (String node : nodes) {
                URI nodeUri = webSocketUri("--nodes", node);
                if (hasModel(nodeUri) != urlHasModel) {
                    throw new IllegalArgumentException("--nodes: name the model in every entry or in none (then "
                            + "use --model), not only in some");
                }
                nodeEndpoints.add(urlHasModel ? nodeUri : withModel(nodeUri));
            }
            return new Settings(uri, endpoint, key, model, scenario, sessions, duration, rate, arrival, ramp, think,
                    tokens, ttftMs, tokensPerSecond, simMetadata, stamp, cancelMin, cancelMax, seed, connectTimeout,
                    grace, settle, brokerPid,
                    new ResumeOptions(disconnectProbability, maxDisconnects, dropMin, dropMax, offline, backlog),
                    new SlowOptions(slowShare, slowFor, slowTokens, slowTokensPerSecond), report, html,
                    new PinOptions(pinBroker, pinSelf), bargeKinds, new ClusterOptions(nodeEndpoints, brokerPids),
                    redacted(args));
        }

        private void checkCluster() {
            boolean cluster = scenario.equals("cluster");
            if (cluster && nodes.size() < 2) {
                throw new IllegalArgumentException("--scenario cluster needs --nodes with at least two broker URLs "
                        + "(ws://A/v1/realtime,ws://B/v1/realtime; the same URL twice is allowed)");
            }
            if (!cluster && !nodes.isEmpty()) {
                throw new IllegalArgumentException("--nodes is for --scenario cluster; use --url otherwise");
            }
            if (urlGiven && !nodes.isEmpty()) {
                throw new IllegalArgumentException("give either --url or --nodes, not both");
            }
            if (!brokerPids.isEmpty() && brokerPids.size() != nodes.size()) {
                throw new IllegalArgumentException("--broker-pids needs one process id per --nodes entry ("
                        + nodes.size() + "), in the same order; got " + brokerPids.size());
            }
            if (!brokerPids.isEmpty() && brokerPid.isPresent()) {
                throw new IllegalArgumentException("give either --broker-pid or --broker-pids, not both");
            }
        }

        private static boolean hasModel(URI uri) {
            String query = uri.getRawQuery();
            return query != null && (query.startsWith("model=") || query.contains("&model="));
        }

        private URI withModel(URI uri) {
            return URI.create(uri + (uri.getRawQuery() == null ? "?" : "&") + "model="
                    + URLEncoder.encode(model.orElseThrow(), StandardCharsets.UTF_8));
        }

        private String value(String flag) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            return args[++i];
        }

        private static String nonEmpty(String flag, String value) {
            if (value.isBlank()) {
                throw new IllegalArgumentException(flag + " must not be empty");
            }
            return value;
        }

        private static List<String> kinds(String flag, String value) {
            List<String> kinds = List.of(value.split(",", -1));
            if (kinds.isEmpty() || !BARGE_KINDS.containsAll(kinds) || kinds.size() != Set.copyOf(kinds).size()) {
                throw new IllegalArgumentException(flag + " must be a comma-separated list of distinct kinds from "
                        + String.join(", ", BARGE_KINDS));
            }
            return kinds;
        }

        private static String scenario(String name) {
            if (!Scenarios.names().contains(name)) {
                throw new IllegalArgumentException("--scenario must be one of " + String.join(", ",
                        Scenarios.names()) + ", not '" + name + "'");
            }
            return name;
        }

        private long integer(String flag, long min, long max) {
            String text = value(flag);
            try {
                long v = Long.parseLong(text.trim());
                if (v < min || v > max) {
                    throw new IllegalArgumentException(flag + " must be between " + min + " and " + max);
                }
                return v;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " must be an integer, not '" + text + "'", e);
            }
        }

        private double decimal(String flag, double min, double max) {
            String text = value(flag);
            try {
                double v = Double.parseDouble(text.trim());
                if (!(v >= min && v <= max)) {
                    throw new IllegalArgumentException(flag + " must be between " + bound(min) + " and "
                            + bound(max));
                }
                return v;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " must be a number, not '" + text + "'", e);
            }
        }

        private static Duration positive(String flag, Duration d) {
            if (d.isZero()) {
                throw new IllegalArgumentException(flag + " must be greater than 0");
            }
            return d;
        }

        private <E extends Enum<E>> E choice(String flag, Class<E> type) {
            String text = value(flag);
            for (E e : type.getEnumConstants()) {
                if (e.name().equalsIgnoreCase(text)) {
                    return e;
                }
            }
            List<String> names = new ArrayList<>();
            for (E e : type.getEnumConstants()) {
                names.add(e.name().toLowerCase(Locale.ROOT));
            }
            throw new IllegalArgumentException(flag + " must be one of " + String.join(", ", names) + ", not '"
                    + text + "'");
        }

        /** {@code N} or {@code N-M}, a range of deltas with {@code 1 <= N <= M}, as {@code {N, M}}. */
        private static int[] range(String flag, String text) {
            Matcher m = Pattern.compile("(\\d+)(?:-(\\d+))?").matcher(text.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException(flag + " must be N or N-M (a number of deltas), not '" + text
                        + "'");
            }
            int min;
            int max;
            try {
                min = Integer.parseInt(m.group(1));
                max = m.group(2) == null ? min : Integer.parseInt(m.group(2));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " is out of range", e);
            }
            if (min < 1 || max < min) {
                throw new IllegalArgumentException(flag + " needs 1 <= N <= M");
            }
            return new int[] {min, max};
        }

        private static Path outputFile(String flag, String text) {
            Path path = Path.of(text).toAbsolutePath();
            Path parent = path.getParent();
            if (parent == null || !Files.isDirectory(parent)) {
                throw new IllegalArgumentException(flag + ": directory " + parent + " does not exist");
            }
            if (Files.isDirectory(path)) {
                throw new IllegalArgumentException(flag + ": " + path + " is a directory");
            }
            return path;
        }

        private static URI webSocketUri(String flag, String text) {
            URI uri;
            try {
                uri = new URI(text);
            } catch (java.net.URISyntaxException e) {
                throw new IllegalArgumentException(flag + " is not a valid URI: " + e.getMessage(), e);
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("ws") && !scheme.equals("wss")) {
                throw new IllegalArgumentException(flag + " must start with ws:// or wss://, not '" + text + "'");
            }
            if (uri.getHost() == null) {
                throw new IllegalArgumentException(flag + " needs a host: '" + text + "'");
            }
            return uri;
        }

        private static List<String> redacted(String[] args) {
            List<String> out = new ArrayList<>(args.length);
            for (int k = 0; k < args.length; k++) {
                out.add(k > 0 && args[k - 1].equals("--key") ? REDACTED : args[k]);
            }
            return out;
        }
    }

    /** Formats a bound in a message without a trailing {@code .0}. */
    private static String bound(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
