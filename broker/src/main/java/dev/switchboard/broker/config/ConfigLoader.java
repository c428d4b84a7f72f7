package dev.switchboard.broker.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.switchboard.bridge.upstream.StreamTimeouts;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and validates the YAML configuration. {@code ${NAME}} in any string is replaced by the environment
 * variable {@code NAME} (an unset variable is an error). Durations are written {@code 500ms}, {@code 30s},
 * {@code 2m}. Every error names the key and the rule.
 */
public final class ConfigLoader {
    /** The dev-mode configuration shipped in the jar. */
    public static final String DEV_RESOURCE = "/switchboard-dev.yaml";

    private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");
    private static final Set<String> KINDS = Set.of("openai", "anthropic", BrokerConfig.REALTIME_KIND);
    private static final Set<String> CONTINUATIONS = Set.of("prefill", "restart");
    private final Function<String, String> env;

    /** @param env looks up environment variables (tests pass a map's {@code get}) */
    public ConfigLoader(Function<String, String> env) {
        this.env = env;
    }

    /** Loads a YAML file. */
    public BrokerConfig load(Path file) throws ConfigException {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, file.toString());
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
    }

    /** Loads the built-in dev-mode configuration. */
    public BrokerConfig loadDev() throws ConfigException {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(DEV_RESOURCE)) {
            if (in == null) {
                throw new ConfigException("the dev configuration " + DEV_RESOURCE + " is missing from the jar");
            }
            return parse(in, "dev mode");
        } catch (IOException e) {
            throw new ConfigException("cannot read the dev configuration: " + e.getMessage());
        }
    }

    /** Parses YAML text (for tests). */
    public BrokerConfig parse(String yaml) throws ConfigException {
        return parse(new java.io.ByteArrayInputStream(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                "inline");
    }

    private BrokerConfig parse(InputStream in, String source) throws ConfigException {
        JsonNode root;
        try {
            // A key written twice is a mistake to report, not a silent last-one-wins.
            root = new ObjectMapper(new YAMLFactory()).enable(
                    com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION).readTree(in);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ConfigException(source + " is not valid YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException("cannot read " + source + ": " + e.getMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            root = new ObjectMapper().createObjectNode();
        }
        if (!root.isObject()) {
            throw new ConfigException("the configuration must be a YAML mapping");
        }
        // Every key at every depth must be known: a typo must not silently leave a default in force.
        ConfigKeys.check(root);
        if (bool(root.path("simulator").path("enabled"), "simulator.enabled", false)) {
            addDevModels((com.fasterxml.jackson.databind.node.ObjectNode) root);
        }
        BrokerConfig config = new BrokerConfig(listen(root.path("listen")),
                new BrokerConfig.Simulator(bool(root.path("simulator").path("enabled"), "simulator.enabled", false)),
                providers(root.path("providers")), models(root.path("models")), tenants(root.path("tenants")),
                limits(root.path("limits")), outbound(root.path("outbound")), rings(root.path("rings")),
                sessions(root.path("sessions")), new BrokerConfig.Drain(duration(root.path("drain").path("timeout"),
                        "drain.timeout", BrokerConfig.Drain.defaults().timeout())));
        validate(config);
        return config;
    }

    /**
     * Enabling the embedded simulator brings the dev-mode models ({@code sim-chat}, {@code sim-claude},
     * {@code sim-failover}, {@code sim-realtime}) and the simulator providers they route to, so that a configuration
     * which only turns the simulator on can use them (issue 11). A provider or model of the same name in the file
     * wins. Tenants are not added: the file's tenants decide who may use them.
     */
    private static void addDevModels(com.fasterxml.jackson.databind.node.ObjectNode root) throws ConfigException {
        JsonNode dev;
        try (InputStream in = ConfigLoader.class.getResourceAsStream(DEV_RESOURCE)) {
            if (in == null) {
                throw new ConfigException("the dev configuration " + DEV_RESOURCE + " is missing from the jar");
            }
            dev = new ObjectMapper(new YAMLFactory()).readTree(in);
        } catch (IOException e) {
            throw new ConfigException("cannot read the dev configuration: " + e.getMessage());
        }
        for (String section : List.of("providers", "models")) {
            JsonNode mine = root.path(section);
            if (!mine.isMissingNode() && !mine.isNull() && !mine.isObject()) {
                continue;  // the section's own validation reports the wrong shape
            }
            com.fasterxml.jackson.databind.node.ObjectNode merged = mine.isObject()
                    ? (com.fasterxml.jackson.databind.node.ObjectNode) mine : root.putObject(section);
            dev.path(section).fields().forEachRemaining(e -> {
                if (!merged.has(e.getKey())) {
                    merged.set(e.getKey(), e.getValue());
                }
            });
        }
    }

    private BrokerConfig.Listen listen(JsonNode node) throws ConfigException {
        String host = string(node.path("host"), "listen.host").orElse("127.0.0.1");
        int port = (int) integer(node.path("port"), "listen.port", 8080);
        if (port < 0 || port > 65535) {
            throw new ConfigException("listen.port must be between 0 and 65535");
        }
        return new BrokerConfig.Listen(host, port);
    }

    private Map<String, BrokerConfig.Provider> providers(JsonNode node) throws ConfigException {
        Map<String, BrokerConfig.Provider> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : entries(node, "providers")) {
            String key = "providers." + e.getKey();
            if (e.getKey().equals(BrokerConfig.SIMULATOR_PROVIDER)) {
                throw new ConfigException(key + ": the name 'simulator' is reserved for the embedded simulator");
            }
            JsonNode p = e.getValue();
            String kind = string(p.path("kind"), key + ".kind")
                    .orElseThrow(() -> new ConfigException(key + ".kind is required (one of " + KINDS + ")"));
            if (!KINDS.contains(kind)) {
                throw new ConfigException(key + ".kind must be one of " + KINDS + " but was '" + kind + "'");
            }
            String base = string(p.path("base_url"), key + ".base_url")
                    .orElseThrow(() -> new ConfigException(key + ".base_url is required"));
            JsonNode t = p.path("timeouts");
            StreamTimeouts defaults = StreamTimeouts.defaults();
            StreamTimeouts timeouts;
            try {
                timeouts = new StreamTimeouts(duration(t.path("connect"), key + ".timeouts.connect", defaults.connect()),
                        duration(t.path("first_token"), key + ".timeouts.first_token", defaults.firstToken()),
                        duration(t.path("idle"), key + ".timeouts.idle", defaults.idle()));
            } catch (IllegalArgumentException ex) {
                throw new ConfigException(key + "." + ex.getMessage());
            }
            String continuation = string(p.path("continuation"), key + ".continuation")
                    .orElse(kind.equals("openai") && !base.startsWith("simulator:") ? "restart" : "prefill");
            if (!CONTINUATIONS.contains(continuation)) {
                throw new ConfigException(key + ".continuation must be one of " + CONTINUATIONS);
            }
            out.put(e.getKey(), new BrokerConfig.Provider(kind, uri(base, key + ".base_url",
                            kind.equals(BrokerConfig.REALTIME_KIND)),
                    string(p.path("api_key"), key + ".api_key"), timeouts, retry(p.path("retry"), key + ".retry"),
                    breaker(p.path("circuit_breaker"), key + ".circuit_breaker"), continuation));
        }
        return out;
    }

    private BrokerConfig.Retry retry(JsonNode node, String key) throws ConfigException {
        BrokerConfig.Retry d = BrokerConfig.Retry.defaults();
        long max = integer(node.path("max_retries"), key + ".max_retries", d.maxRetries());
        if (max < 0 || max > 10) {
            throw new ConfigException(key + ".max_retries must be between 0 and 10");
        }
        Duration backoff = duration(node.path("backoff"), key + ".backoff", d.backoff());
        Duration maxBackoff = duration(node.path("max_backoff"), key + ".max_backoff", d.maxBackoff());
        if (maxBackoff.compareTo(backoff) < 0) {
            throw new ConfigException(key + ".max_backoff must be >= " + key + ".backoff");
        }
        return new BrokerConfig.Retry((int) max, backoff, maxBackoff,
                duration(node.path("max_retry_after"), key + ".max_retry_after", d.maxRetryAfter()));
    }

    private BrokerConfig.Breaker breaker(JsonNode node, String key) throws ConfigException {
        BrokerConfig.Breaker d = BrokerConfig.Breaker.defaults();
        long threshold = integer(node.path("failure_threshold"), key + ".failure_threshold", d.failureThreshold());
        if (threshold < 1 || threshold > 1000) {
            throw new ConfigException(key + ".failure_threshold must be between 1 and 1000");
        }
        Duration openFor = duration(node.path("open_for"), key + ".open_for", d.openFor());
        if (openFor.isZero() || openFor.isNegative()) {
            throw new ConfigException(key + ".open_for must be > 0");
        }
        // Without an explicit probe_after, a short open_for is also the first probe's wait.
        Duration probeAfter = duration(node.path("probe_after"), key + ".probe_after",
                d.probeAfter().compareTo(openFor) > 0 ? openFor : d.probeAfter());
        if (probeAfter.isZero() || probeAfter.isNegative() || probeAfter.compareTo(openFor) > 0) {
            throw new ConfigException(key + ".probe_after must be > 0 and <= " + key + ".open_for");
        }
        return new BrokerConfig.Breaker((int) threshold, openFor, probeAfter);
    }

    private Map<String, BrokerConfig.Model> models(JsonNode node) throws ConfigException {
        Map<String, BrokerConfig.Model> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : entries(node, "models")) {
            String key = "models." + e.getKey() + ".route";
            List<BrokerConfig.Target> route = new ArrayList<>();
            for (String target : strings(e.getValue().path("route"), key)) {
                int slash = target.indexOf('/');
                if (slash <= 0 || slash == target.length() - 1) {
                    throw new ConfigException(key + " entries must be 'provider/model' but one was '" + target + "'");
                }
                route.add(new BrokerConfig.Target(target.substring(0, slash), target.substring(slash + 1)));
            }
            if (route.isEmpty()) {
                throw new ConfigException(key + " must list at least one provider/model target");
            }
            out.put(e.getKey(), new BrokerConfig.Model(route));
        }
        return out;
    }

    private Map<String, BrokerConfig.Tenant> tenants(JsonNode node) throws ConfigException {
        Map<String, BrokerConfig.Tenant> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : entries(node, "tenants")) {
            String key = "tenants." + e.getKey();
            List<String> keys = strings(e.getValue().path("keys"), key + ".keys");
            if (keys.isEmpty()) {
                throw new ConfigException(key + ".keys must list at least one key");
            }
            out.put(e.getKey(), new BrokerConfig.Tenant(keys, strings(e.getValue().path("models"), key + ".models"),
                    bool(e.getValue().path("broker_vad"), key + ".broker_vad", false)));
        }
        return out;
    }

    private BrokerConfig.Limits limits(JsonNode node) throws ConfigException {
        long max = integer(node.path("max_frame_bytes"), "limits.max_frame_bytes",
                BrokerConfig.Limits.DEFAULT_MAX_FRAME_BYTES);
        if (max < 1024 || max > 64L * 1024 * 1024) {
            throw new ConfigException("limits.max_frame_bytes must be between 1024 and 67108864");
        }
        Duration headers = requestTimeout(node, "request_header_timeout",
                BrokerConfig.Limits.DEFAULT_REQUEST_HEADER_TIMEOUT);
        Duration body = requestTimeout(node, "request_body_timeout", BrokerConfig.Limits.DEFAULT_REQUEST_BODY_TIMEOUT);
        return new BrokerConfig.Limits((int) max, headers, body);
    }

    private Duration requestTimeout(JsonNode limits, String name, Duration fallback) throws ConfigException {
        String key = "limits." + name;
        Duration timeout = duration(limits.path(name), key, fallback);
        if (timeout.compareTo(Duration.ofMillis(100)) < 0 || timeout.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new ConfigException(key + " must be between 100ms and 10m");
        }
        return timeout;
    }

    private BrokerConfig.Outbound outbound(JsonNode node) throws ConfigException {
        BrokerConfig.Outbound d = BrokerConfig.Outbound.defaults();
        long high = integer(node.path("high_watermark_bytes"), "outbound.high_watermark_bytes", d.highWatermarkBytes());
        long low = integer(node.path("low_watermark_bytes"), "outbound.low_watermark_bytes", d.lowWatermarkBytes());
        long max = integer(node.path("max_bytes"), "outbound.max_bytes", d.maxBytes());
        long frames = integer(node.path("max_frames"), "outbound.max_frames", d.maxFrames());
        if (low <= 0 || low >= high) {
            throw new ConfigException("outbound.low_watermark_bytes must be > 0 and < outbound.high_watermark_bytes");
        }
        if (max <= high) {
            throw new ConfigException("outbound.max_bytes must be > outbound.high_watermark_bytes");
        }
        if (frames < 16 || frames > 1_000_000) {
            throw new ConfigException("outbound.max_frames must be between 16 and 1000000");
        }
        Duration stall = duration(node.path("max_stall"), "outbound.max_stall", d.maxStall());
        return new BrokerConfig.Outbound(high, low, max, (int) frames, stall);
    }

    private BrokerConfig.Sessions sessions(JsonNode node) throws ConfigException {
        BrokerConfig.Sessions d = BrokerConfig.Sessions.defaults();
        Duration ttl = duration(node.path("resume_ttl"), "sessions.resume_ttl", d.resumeTtl());
        Optional<String> secret = string(node.path("resume_secret"), "sessions.resume_secret");
        if (secret.isPresent() && secret.get().length() < 16) {
            throw new ConfigException("sessions.resume_secret must be at least 16 characters");
        }
        JsonNode replay = node.path("replay");
        long events = integer(replay.path("max_events"), "sessions.replay.max_events", d.replayMaxEvents());
        long bytes = integer(replay.path("max_bytes"), "sessions.replay.max_bytes", d.replayMaxBytes());
        if (events < 16 || events > 1_000_000) {
            throw new ConfigException("sessions.replay.max_events must be between 16 and 1000000");
        }
        if (bytes < 4096 || bytes > (1L << 30)) {
            throw new ConfigException("sessions.replay.max_bytes must be between 4096 and 1073741824");
        }
        return new BrokerConfig.Sessions(ttl, secret, (int) events, bytes);
    }

    private BrokerConfig.Rings rings(JsonNode node) throws ConfigException {
        BrokerConfig.Rings d = BrokerConfig.Rings.defaults();
        long shards = integer(node.path("shards"), "rings.shards", d.shards());
        long size = integer(node.path("size"), "rings.size", d.size());
        if (shards < 1 || shards > 64) {
            throw new ConfigException("rings.shards must be between 1 and 64");
        }
        if (size < 64 || size > (1 << 22) || Long.bitCount(size) != 1) {
            throw new ConfigException("rings.size must be a power of two between 64 and 4194304");
        }
        String wait = string(node.path("wait_strategy"), "rings.wait_strategy").orElse(d.waitStrategy());
        if (!wait.equals("blocking") && !wait.equals("sleeping")) {
            throw new ConfigException("rings.wait_strategy must be blocking or sleeping");
        }
        return new BrokerConfig.Rings((int) shards, (int) size, wait);
    }

    private static void validate(BrokerConfig config) throws ConfigException {
        for (Map.Entry<String, BrokerConfig.Provider> p : config.providers().entrySet()) {
            if (p.getValue().onSimulator() && !config.simulator().enabled()) {
                throw new ConfigException("providers." + p.getKey() + ".base_url points into the embedded simulator, "
                        + "which is off (set simulator.enabled: true)");
            }
        }
        for (Map.Entry<String, BrokerConfig.Model> m : config.models().entrySet()) {
            List<BrokerConfig.Target> route = m.getValue().route();
            boolean anyRealtime = route.stream().anyMatch(t -> config.providers().containsKey(t.provider())
                    && config.providers().get(t.provider()).kind().equals(BrokerConfig.REALTIME_KIND));
            if (anyRealtime && route.size() != 1) {
                throw new ConfigException("models." + m.getKey() + ".route: a route to an " + BrokerConfig.REALTIME_KIND
                        + " provider must have exactly one target (a relayed session's conversation lives in that "
                        + "provider, so it cannot fail over)");
            }
            for (BrokerConfig.Target target : route) {
                boolean known = config.providers().containsKey(target.provider())
                        || (target.provider().equals(BrokerConfig.SIMULATOR_PROVIDER) && config.simulator().enabled());
                if (!known) {
                    throw new ConfigException("models." + m.getKey() + ".route names provider '" + target.provider()
                            + "', which is not configured" + (target.provider().equals(BrokerConfig.SIMULATOR_PROVIDER)
                            ? " (set simulator.enabled: true)" : ""));
                }
            }
        }
        Map<String, String> keyOwners = new java.util.HashMap<>();
        for (Map.Entry<String, BrokerConfig.Tenant> t : config.tenants().entrySet()) {
            for (String model : t.getValue().models()) {
                if (!model.equals("*") && !config.models().containsKey(model)) {
                    throw new ConfigException("tenants." + t.getKey() + ".models names model '" + model
                            + "', which is not configured under models");
                }
            }
            for (String key : t.getValue().keys()) {
                if (key.isBlank()) {
                    throw new ConfigException("tenants." + t.getKey() + ".keys must not contain an empty key");
                }
                String other = keyOwners.putIfAbsent(key, t.getKey());
                if (other != null) {
                    throw new ConfigException("tenants." + t.getKey() + ".keys: a key is also used by tenant " + other
                            + "; keys must be unique");
                }
            }
        }
    }

    private List<Map.Entry<String, JsonNode>> entries(JsonNode node, String key) throws ConfigException {
        if (node.isMissingNode() || node.isNull()) {
            return List.of();
        }
        if (!node.isObject()) {
            throw new ConfigException(key + " must be a mapping");
        }
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        node.fields().forEachRemaining(out::add);
        return out;
    }

    private Optional<String> string(JsonNode node, String key) throws ConfigException {
        if (node.isMissingNode() || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isValueNode() || node.isBoolean()) {
            throw new ConfigException(key + " must be a string");
        }
        return Optional.of(substitute(node.asText(), key));
    }

    private List<String> strings(JsonNode node, String key) throws ConfigException {
        if (node.isMissingNode() || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new ConfigException(key + " must be a list");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            out.add(string(node.get(i), key + "[" + i + "]").orElseThrow(
                    () -> new ConfigException(key + " must not contain empty entries")));
        }
        return out;
    }

    private long integer(JsonNode node, String key, long fallback) throws ConfigException {
        if (node.isMissingNode() || node.isNull()) {
            return fallback;
        }
        if (node.isIntegralNumber()) {
            return node.asLong();
        }
        if (node.isTextual()) {
            try {
                return Long.parseLong(substitute(node.asText(), key).trim());
            } catch (NumberFormatException e) {
                throw new ConfigException(key + " must be an integer");
            }
        }
        throw new ConfigException(key + " must be an integer");
    }

    private boolean bool(JsonNode node, String key, boolean fallback) throws ConfigException {
        if (node.isMissingNode() || node.isNull()) {
            return fallback;
        }
        if (!node.isBoolean()) {
            throw new ConfigException(key + " must be true or false");
        }
        return node.asBoolean();
    }

    private Duration duration(JsonNode node, String key, Duration fallback) throws ConfigException {
        Optional<String> text = string(node, key);
        if (text.isEmpty()) {
            return fallback;
        }
        Matcher m = DURATION.matcher(text.get().trim());
        if (!m.matches()) {
            throw new ConfigException(key + " must be a duration such as 500ms, 30s, 2m or 1h");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
        if (d.isZero()) {
            throw new ConfigException(key + " must be > 0");
        }
        return d;
    }

    private static URI uri(String text, String key, boolean webSocket) throws ConfigException {
        try {
            URI uri = new URI(text);
            Set<String> schemes = webSocket ? Set.of("ws", "wss", "http", "https", "simulator")
                    : Set.of("http", "https", "simulator");
            if (uri.getScheme() == null || !schemes.contains(uri.getScheme())) {
                throw new ConfigException(key + (webSocket ? " must be a ws, wss, http or https URL"
                        : " must be an http or https URL") + " (or simulator:/PATH)");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ConfigException(key + " is not a valid URL");
        }
    }

    private String substitute(String value, String key) throws ConfigException {
        Matcher m = ENV.matcher(value);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String replacement = env.apply(m.group(1));
            if (replacement == null) {
                throw new ConfigException(key + " refers to environment variable " + m.group(1) + ", which is not set");
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(sb);
        return sb.toString();
    }

}
