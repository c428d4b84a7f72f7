package dev.switchboard.broker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Issue 15, the {@code logging} and {@code telemetry} sections: defaults, binding, and errors naming the key. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TelemetryConfigTest {
    private final ConfigLoader loader = new ConfigLoader(name -> null);

    @Test
    void without_the_sections_logs_are_text_at_info_and_nothing_is_exported() throws Exception {
        BrokerConfig config = loader.parse("tenants: {t: {keys: [k]}}");
        assertEquals(new Logging(Logging.Format.TEXT, Logging.Level.INFO), config.logging());
        assertEquals(Optional.empty(), config.telemetry().otlp());
        assertEquals("switchboard", config.telemetry().serviceName());
    }

    @Test
    void every_key_is_bound() throws Exception {
        BrokerConfig config = loader.parse("""
                logging: {format: json, level: debug}
                telemetry:
                  otlp: {endpoint: "http://collector:4318", export_interval: 250ms}
                  service_name: edge-broker
                """);
        assertEquals(new Logging(Logging.Format.JSON, Logging.Level.DEBUG), config.logging());
        Telemetry.Otlp otlp = config.telemetry().otlp().orElseThrow();
        assertEquals(URI.create("http://collector:4318"), otlp.endpoint());
        assertEquals(URI.create("http://collector:4318/v1/traces"), otlp.tracesUrl());
        assertEquals(Duration.ofMillis(250), otlp.exportInterval());
        assertEquals("edge-broker", config.telemetry().serviceName());
    }

    @Test
    void an_endpoint_that_already_names_the_traces_path_is_used_as_it_is() throws Exception {
        Telemetry.Otlp otlp = loader.parse("telemetry: {otlp: {endpoint: \"https://c.example/v1/traces\"}}")
                .telemetry().otlp().orElseThrow();
        assertEquals(URI.create("https://c.example/v1/traces"), otlp.tracesUrl());
        assertEquals(Telemetry.Otlp.DEFAULT_EXPORT_INTERVAL, otlp.exportInterval());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "logging: {format: xml}|logging.format must be one of [text, json] but was 'xml'",
        "logging: {level: loud}|logging.level must be one of [trace, debug, info, warn, error] but was 'loud'",
        "logging: {colour: true}|logging.colour is not a known key",
        "telemetry: {otlp: {}}|telemetry.otlp.endpoint is required",
        "telemetry: {otlp: {endpoint: 'grpc://c:4317'}}|telemetry.otlp.endpoint must be an http or https URL",
        "telemetry: {otlp: {endpoint: 'http://c:4318', export_interval: 0s}}|telemetry.otlp.export_interval must be",
        "telemetry: {service_name: ''}|telemetry.service_name must not be empty",
        "telemetry: {sample_ratio: 1.5}|telemetry.sample_ratio must be between 0 and 1",
        "telemetry: {zipkin: {}}|telemetry.zipkin is not a known key",
    })
    void logging_and_telemetry_settings_are_validated_with_the_key_named(String yaml, String expected) {
        ConfigException error = assertThrows(ConfigException.class, () -> loader.parse(yaml + "\n"));
        assertTrue(error.getMessage().startsWith(expected), error.getMessage());
    }
}
