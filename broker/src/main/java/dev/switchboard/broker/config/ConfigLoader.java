package dev.switchboard.broker.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.InjectableValues;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the YAML configuration and binds it into the {@link BrokerConfig} records. In order: the file is read as a
 * tree (a key written twice is an error); {@code ${NAME}} in any string value is replaced by the environment
 * variable {@code NAME} (an unset variable is an error); the tree is bound with Jackson, where every key at every
 * depth must be known (a typo such as {@code providers.x.timeouts.frist_token} is refused, never ignored), and the
 * records' {@code bind} factories fill defaults and check their rules; finally the rules spanning sections are
 * checked here. Every error names the full key path and the rule. Durations are written {@code 500ms}, {@code 30s},
 * {@code 2m}, {@code 1h}.
 */
public final class ConfigLoader {
    /** The dev-mode configuration shipped in the jar. */
    public static final String DEV_RESOURCE = "/switchboard-dev.yaml";

    private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final ObjectMapper BINDER = binder();
    private final Function<String, String> env;

    /** @param env looks up environment variables (tests pass a map's {@code get}) */
    public ConfigLoader(Function<String, String> env) {
        this.env = env;
    }

    private static ObjectMapper binder() {
        ObjectMapper mapper = JsonMapper.builder()
                // Only the records' bind factories say what a key is: no field or getter is a property.
                .visibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .addModule(ConfigValues.module())
                .build();
        // A number or a flag may be written as a string (it may come from ${ENV}); true is not a string, nor 1 a flag.
        mapper.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        return mapper;
    }

    /** Loads a YAML file. */
    public BrokerConfig load(Path file) throws ConfigException {
        try (InputStream in = Files.newInputStream(file)) {
            // Files the configuration names (TLS certificates and keys) are relative to the file's directory.
            Path dir = file.toAbsolutePath().getParent();
            return parse(in, file.toString(), dir == null ? workingDirectory() : dir);
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
            return parse(in, "dev mode", workingDirectory());
        } catch (IOException e) {
            throw new ConfigException("cannot read the dev configuration: " + e.getMessage());
        }
    }

    /** Parses YAML text (for tests). */
    public BrokerConfig parse(String yaml) throws ConfigException {
        return parse(new java.io.ByteArrayInputStream(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                "inline", workingDirectory());
    }

    private static Path workingDirectory() {
        return Path.of("").toAbsolutePath();
    }

    private BrokerConfig parse(InputStream in, String source, Path baseDir) throws ConfigException {
        JsonNode root;
        try {
            // A key written twice is a mistake to report, not a silent last-one-wins.
            root = YAML.readTree(in);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + " is not valid YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException("cannot read " + source + ": " + e.getMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            root = YAML.createObjectNode();
        }
        if (!root.isObject()) {
            throw new ConfigException("the configuration must be a YAML mapping");
        }
        substitute(root, "");
        if (root.path("simulator").path("enabled").asBoolean(false)) {
            addDevModels((ObjectNode) root);
        }
        BrokerConfig config;
        try {
            config = BINDER.readerFor(BrokerConfig.class)
                    .with(new InjectableValues.Std().addValue(Tls.BASE_DIR, baseDir)).readValue(root);
        } catch (JsonMappingException e) {
            throw BindingErrors.explain(e);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException("cannot bind " + source + ": " + e.getMessage());
        }
        validate(config);
        return config;
    }

    /**
     * Replaces {@code ${NAME}} in every string value of the tree, before binding, so that a substituted value is
     * bound and checked like a written one ({@code port: ${PORT}} is an integer).
     */
    private JsonNode substitute(JsonNode node, String path) throws ConfigException {
        if (node.isTextual()) {
            return TextNode.valueOf(substitute(node.asText(), path));
        }
        if (node instanceof ObjectNode object) {
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                field.setValue(substitute(field.getValue(), path.isEmpty() ? field.getKey()
                        : path + "." + field.getKey()));
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, substitute(array.get(i), path + "[" + i + "]"));
            }
        }
        return node;
    }

    /**
     * Enabling the embedded simulator brings the dev-mode models ({@code sim-chat}, {@code sim-claude},
     * {@code sim-failover}, {@code sim-realtime}) and the simulator providers they route to, so that a configuration
     * which only turns the simulator on can use them (issue 11). A provider or model of the same name in the file
     * wins. Tenants are not added: the file's tenants decide who may use them.
     */
    private static void addDevModels(ObjectNode root) throws ConfigException {
        JsonNode dev;
        try (InputStream in = ConfigLoader.class.getResourceAsStream(DEV_RESOURCE)) {
            if (in == null) {
                throw new ConfigException("the dev configuration " + DEV_RESOURCE + " is missing from the jar");
            }
            dev = YAML.readTree(in);
        } catch (IOException e) {
            throw new ConfigException("cannot read the dev configuration: " + e.getMessage());
        }
        for (String section : List.of("providers", "models")) {
            JsonNode mine = root.path(section);
            if (!mine.isMissingNode() && !mine.isNull() && !mine.isObject()) {
                continue;  // binding reports the wrong shape
            }
            ObjectNode merged = mine.isObject() ? (ObjectNode) mine : root.putObject(section);
            dev.path(section).fields().forEachRemaining(e -> {
                if (!merged.has(e.getKey())) {
                    merged.set(e.getKey(), e.getValue());
                }
            });
        }
    }

    private static void validate(BrokerConfig config) throws ConfigException {
        if (config.cluster().shared() && config.sessions().resumeSecret().isEmpty()) {
            throw new ConfigException("sessions.resume_secret is required with cluster.store.kind: redis (every node "
                    + "must verify the resume tokens the others issued, so they share one secret)");
        }
        if (config.admin().isPresent()) {
            config.admin().get().checkTenants(config.tenants().keySet());
        }
        for (Map.Entry<String, BrokerConfig.Provider> p : config.providers().entrySet()) {
            if (p.getKey().equals(BrokerConfig.SIMULATOR_PROVIDER)) {
                throw new ConfigException("providers." + p.getKey()
                        + ": the name 'simulator' is reserved for the embedded simulator");
            }
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
        for (String model : config.prices().keySet()) {
            if (!config.models().containsKey(model)) {
                throw new ConfigException("prices." + model + " names model '" + model
                        + "', which is not configured under models");
            }
        }
        Map<String, String> keyOwners = new java.util.HashMap<>();
        for (Map.Entry<String, BrokerConfig.Tenant> t : config.tenants().entrySet()) {
            java.util.Optional<String> policy = t.getValue().policy();
            if (policy.isPresent() && !config.policies().containsKey(policy.get())) {
                throw new ConfigException("tenants." + t.getKey() + ".policy names policy '" + policy.get()
                        + "', which is not configured under policies");
            }
            for (String model : t.getValue().models()) {
                if (!model.equals("*") && !config.models().containsKey(model)) {
                    throw new ConfigException("tenants." + t.getKey() + ".models names model '" + model
                            + "', which is not configured under models");
                }
            }
            for (String key : t.getValue().keys()) {
                String other = keyOwners.putIfAbsent(key, t.getKey());
                if (other != null) {
                    throw new ConfigException("tenants." + t.getKey() + ".keys: a key is also used by tenant " + other
                            + "; keys must be unique");
                }
            }
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
