package dev.switchboard.broker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ConfigLoaderTest {
    private static final String VALID = """
            listen: {host: 0.0.0.0, port: 9000}
            providers:
              openai:
                kind: openai
                base_url: https://api.openai.com/v1
                api_key: ${OPENAI_API_KEY}
                timeouts: {connect: 500ms, first_token: 2s, idle: 1m}
            models:
              chat-default:
                route: [openai/gpt-4o-mini]
            tenants:
              acme:
                keys: [sk-acme-1]
                models: [chat-default]
            """;

    private final ConfigLoader loader = new ConfigLoader(Map.of("OPENAI_API_KEY", "sk-real")::get);

    @Test
    void a_complete_file_parses_with_env_substitution_and_durations() throws Exception {
        BrokerConfig config = loader.parse(VALID);
        assertEquals(new BrokerConfig.Listen("0.0.0.0", 9000), config.listen());
        BrokerConfig.Provider openai = config.providers().get("openai");
        assertEquals("sk-real", openai.apiKey().orElseThrow());
        assertEquals(Duration.ofMillis(500), openai.timeouts().connect());
        assertEquals(Duration.ofMinutes(1), openai.timeouts().idle());
        assertEquals("gpt-4o-mini", config.models().get("chat-default").route().get(0).model());
        assertFalse(openai.toString().contains("sk-real"), "a printed config must not show the key");
    }

    @Test
    void the_dev_configuration_ships_in_the_jar() throws Exception {
        BrokerConfig dev = loader.loadDev();
        assertTrue(dev.simulator().enabled());
        assertEquals(8080, dev.listen().port());
        assertEquals(java.util.List.of("dev-key"), dev.tenants().get("dev").keys());
        assertTrue(dev.models().containsKey("sim-chat"));
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "api_key: ${OPENAI_API_KEY}|providers.openai.api_key refers to environment variable MISSING",
        "timeouts: {connect: 500ms, first_token: 2s, idle: 1m}|timeouts.idle must be a duration",
        "kind: openai|providers.openai.kind must be one of",
        "route: [openai/gpt-4o-mini]|models.chat-default.route names provider 'nope'",
        "models: [chat-default]|tenants.acme.models names model 'ghost'",
        "listen: {host: 0.0.0.0, port: 9000}|listen.port must be between 0 and 65535",
    })
    void invalid_files_are_refused_with_the_key_and_the_rule(String line, String expected) {
        String broken = VALID.replace(line, switch (line.substring(0, 4)) {
            case "api_" -> "api_key: ${MISSING}";
            case "time" -> "timeouts: {connect: 500ms, first_token: 2s, idle: soon}";
            case "kind" -> "kind: carrier-pigeon";
            case "rout" -> "route: [nope/gpt-4o-mini]";
            case "mode" -> "models: [ghost]";
            default -> "listen: {host: 0.0.0.0, port: 70000}";
        });
        ConfigException error = assertThrows(ConfigException.class, () -> loader.parse(broken));
        assertTrue(error.getMessage().contains(expected), error.getMessage());
    }

    @Test
    void unknown_top_level_keys_and_bad_watermarks_are_refused() {
        ConfigException typo = assertThrows(ConfigException.class, () -> loader.parse(VALID + "tennants: {}\n"));
        assertTrue(typo.getMessage().startsWith("tennants is not a known key"), typo.getMessage());
        ConfigException marks = assertThrows(ConfigException.class, () -> loader.parse(VALID
                + "outbound: {high_watermark_bytes: 1000, low_watermark_bytes: 2000}\n"));
        assertTrue(marks.getMessage().contains("outbound.low_watermark_bytes"), marks.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "providers: {p: {kind: openai, base_url: 'http://h/v1', timeouts: {frist_token: 1s}}}|providers.p.timeouts.frist_token",
        "providers: {p: {kind: openai, base_url: 'http://h/v1', retry: {max_retry: 1}}}|providers.p.retry.max_retry",
        "providers: {p: {kind: openai, base_url: 'http://h/v1', circuit_breaker: {open: 1s}}}|providers.p.circuit_breaker.open",
        "providers: {p: {kind: openai, base_url: 'http://h/v1', apikey: x}}|providers.p.apikey",
        "sessions: {replay: {max_event: 10}}|sessions.replay.max_event",
        "limits: {max_frame: 10}|limits.max_frame",
        "tenants: {t: {keys: [k], model: ['*']}}|tenants.t.model"})
    void a_typo_at_any_depth_is_refused_naming_its_full_path_and_the_known_keys(String caseText) {
        // Issue 11: only top-level typos were refused; a nested one silently left the default in force.
        String[] parts = caseText.split("\\|");
        ConfigException typo = assertThrows(ConfigException.class, () -> loader.parse(parts[0] + "\n"));
        assertTrue(typo.getMessage().startsWith(parts[1] + " is not a known key (known in "), typo.getMessage());
    }

    @Test
    void a_key_shared_by_two_tenants_is_refused_without_printing_it() {
        ConfigException error = assertThrows(ConfigException.class, () -> loader.parse(VALID
                + "  other:\n    keys: [sk-acme-1]\n    models: ['*']\n"));
        assertTrue(error.getMessage().contains("keys must be unique"), error.getMessage());
        assertFalse(error.getMessage().contains("sk-acme-1"));
    }

    @Test
    void the_complete_example_in_the_configuration_doc_is_valid() throws Exception {
        String doc = java.nio.file.Files.readString(java.nio.file.Path.of("..", "docs", "configuration.md"));
        int start = doc.indexOf("```yaml", doc.indexOf("## A complete example")) + "```yaml".length();
        String yaml = doc.substring(start, doc.indexOf("```", start));
        BrokerConfig config = new ConfigLoader(Map.of("OPENAI_API_KEY", "a", "ANTHROPIC_API_KEY", "b",
                "SWITCHBOARD_RESUME_SECRET", "0123456789abcdef-secret", "SWITCHBOARD_ADMIN_TOKEN",
                "an-admin-token-from-the-env")::get).parse(yaml);
        assertEquals("anthropic", config.providers().get("anthropic").kind());
        assertEquals(java.time.Duration.ofSeconds(60), config.sessions().resumeTtl());
        assertEquals(16_384, config.sessions().replayMaxEvents());
        assertEquals(java.time.Duration.ofSeconds(10), config.outbound().maxStall());
        assertEquals(java.time.Duration.ofSeconds(30), config.drain().timeout());
        assertEquals(2, config.models().get("chat-default").route().size());
        assertEquals("parking", config.rings().waitStrategy());
        assertEquals(8081, config.admin().orElseThrow().listen().port());
        assertFalse(config.metrics().publicEndpoint());
    }

    @Test
    void session_and_drain_settings_are_validated_with_the_key_named() {
        ConfigLoader loader = new ConfigLoader(Map.<String, String>of()::get);
        assertTrue(assertThrows(ConfigException.class, () -> loader.parse("sessions: {resume_secret: short}"))
                .getMessage().startsWith("sessions.resume_secret must be at least 16 characters"));
        assertTrue(assertThrows(ConfigException.class, () -> loader.parse("sessions: {replay: {max_events: 3}}"))
                .getMessage().startsWith("sessions.replay.max_events must be between"));
        assertTrue(assertThrows(ConfigException.class, () -> loader.parse("drain: {timeout: soon}"))
                .getMessage().startsWith("drain.timeout must be a duration"));
        assertTrue(assertThrows(ConfigException.class, () -> loader.parse("outbound: {max_stall: 0s}"))
                .getMessage().startsWith("outbound.max_stall must be > 0"));
    }

    @Test
    void request_read_deadlines_default_and_are_validated_with_the_key_named() throws Exception {
        ConfigLoader loader = new ConfigLoader(Map.<String, String>of()::get);
        assertEquals(BrokerConfig.Limits.defaults(), loader.parse("{}").limits());
        BrokerConfig.Limits set = loader.parse("limits: {request_header_timeout: 2s, request_body_timeout: 1m}")
                .limits();
        assertEquals(Duration.ofSeconds(2), set.requestHeaderTimeout());
        assertEquals(Duration.ofMinutes(1), set.requestBodyTimeout());
        assertTrue(assertThrows(ConfigException.class, () -> loader.parse("limits: {request_header_timeout: 50ms}"))
                .getMessage().startsWith("limits.request_header_timeout must be between 100ms and 10m"));
        assertTrue(assertThrows(ConfigException.class, () -> loader.parse("limits: {request_body_timeout: 1h}"))
                .getMessage().startsWith("limits.request_body_timeout must be between 100ms and 10m"));
        assertTrue(assertThrows(ConfigException.class, () -> loader.parse("limits: {request_body_timeout: slow}"))
                .getMessage().startsWith("limits.request_body_timeout must be a duration"));
    }

    @Test
    void a_key_written_twice_is_refused() {
        ConfigException error = assertThrows(ConfigException.class,
                () -> loader.parse("listen: {port: 1}\nlisten: {port: 2}\n"));
        assertTrue(error.getMessage().contains("Duplicate field 'listen'"), error.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "listen: {port: abc}|listen.port must be an integer",
        "listen: {port: 1.5}|listen.port must be an integer",
        "listen: [1]|listen must be a mapping",
        "simulator: {enabled: 1}|simulator.enabled must be true or false",
        "providers: {p: {base_url: 'http://x'}}|providers.p.kind is required (one of [openai, anthropic, openai-realtime])",
        "providers: {p: {kind: openai, base_url: 'http://x', continuation: maybe}}|providers.p.continuation must be one of [prefill, restart] but was 'maybe'",
        "providers: {p: {kind: openai, base_url: 'http://x', api_key: true}}|providers.p.api_key must be a string",
        "providers: {p: {kind: openai, base_url: 'http://x', retry: {backoff: 5s}}}|providers.p.retry.max_backoff must be >= backoff",
        "providers: {p: {kind: openai, base_url: 'http://x', timeouts: {idle: 5}}}|providers.p.timeouts.idle must be a duration such as 500ms, 30s, 2m or 1h",
        "providers: {p: [1]}|providers.p must be a mapping",
        "models: {m: {route: x/y}}|models.m.route must be a list",
        "models: {m: {route: [null]}}|models.m.route must not contain empty entries",
        "tenants: {t: {keys: [{key: k, a: 1}]}}|tenants.t.keys[0].a is not a known key (known in tenants.t.keys[0]: id, key, limits)",
        "tenants: {t: {models: [[1]], keys: [k]}}|tenants.t.models[0] must be a string",
        "rings: {wait_strategy: busy}|rings.wait_strategy must be one of [blocking, sleeping, parking] but was 'busy'",
        "sessions: {replay: {max_bytes: 1}}|sessions.replay.max_bytes must be between 4096 and 1073741824",
    })
    void a_value_of_the_wrong_type_or_outside_its_rule_is_refused_with_its_path_and_no_java_names(String yaml,
                                                                                               String expected) {
        ConfigException error = assertThrows(ConfigException.class, () -> loader.parse(yaml + "\n"));
        assertEquals(expected, error.getMessage());
    }

    @Test
    void substituted_values_are_bound_like_written_ones() throws Exception {
        ConfigLoader withEnv = new ConfigLoader(Map.of("PORT", "9001", "SIM", "true", "WAIT", "sleeping")::get);
        BrokerConfig config = withEnv.parse("listen:\n  port: ${PORT}\nsimulator:\n  enabled: ${SIM}\n"
                + "rings:\n  wait_strategy: ${WAIT}\n");
        assertEquals(9001, config.listen().port());
        assertTrue(config.simulator().enabled());
        assertEquals("sleeping", config.rings().waitStrategy());
        ConfigException notANumber = assertThrows(ConfigException.class,
                () -> new ConfigLoader(Map.of("PORT", "high")::get).parse("listen:\n  port: ${PORT}\n"));
        assertEquals("listen.port must be an integer", notANumber.getMessage());
        ConfigException inList = assertThrows(ConfigException.class,
                () -> withEnv.parse("tenants:\n  t:\n    keys: [ok, '${NOPE}']\n"));
        assertTrue(inList.getMessage().startsWith("tenants.t.keys[1] refers to environment variable NOPE"),
                inList.getMessage());
    }
}
