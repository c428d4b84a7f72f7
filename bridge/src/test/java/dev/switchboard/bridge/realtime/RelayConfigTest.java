package dev.switchboard.bridge.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

/** {@link RealtimeConfig} validation, URL mapping and key redaction, and the endpoint the connector builds. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RelayConfigTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "https://api.openai.com/v1, wss://api.openai.com/v1",
        "http://127.0.0.1:8080/v1, ws://127.0.0.1:8080/v1",
        "wss://api.openai.com/v1, wss://api.openai.com/v1",
        "ws://localhost:9000, ws://localhost:9000",
        "HTTPS://Example.com/v1, wss://Example.com/v1"
    })
    void http_base_urls_become_websocket_urls(String given, String expected) {
        assertEquals(URI.create(expected), new RealtimeConfig("p", URI.create(given), Optional.empty()).baseUri());
    }

    @Test
    void a_base_url_of_another_scheme_is_refused_naming_the_key() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RealtimeConfig("oai", URI.create("ftp://example.com"), Optional.empty()));

        assertEquals("providers.oai.base_url must be a ws, wss, http or https URL", e.getMessage());
    }

    @Test
    void timeouts_and_limits_must_be_positive() {
        assertThrows(IllegalArgumentException.class,
                () -> new RealtimeConfig.Timeouts(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new RealtimeConfig.Limits(0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new RealtimeConfig.Limits(1, 0, 1));
        assertEquals("limits.max_message_bytes must be > 0",
                assertThrows(IllegalArgumentException.class, () -> new RealtimeConfig.Limits(1, 1, -1)).getMessage());
    }

    @Test
    void the_key_never_appears_in_the_rendering() {
        RealtimeConfig config = new RealtimeConfig("oai", URI.create("wss://api.openai.com/v1"),
                Optional.of("sk-live-abc"));

        assertFalse(config.toString().contains("sk-live-abc"), config::toString);
        assertTrue(config.toString().contains("apiKey=***"), config::toString);
    }

    @Test
    void an_empty_key_counts_as_none() {
        assertEquals(Optional.empty(),
                new RealtimeConfig("oai", URI.create("wss://x.test"), Optional.of("")).apiKey());
    }

    @Test
    void the_endpoint_appends_realtime_and_the_encoded_model_without_doubling_a_slash() {
        try (RealtimeConnector connector = RealtimeConnector.start(
                new RealtimeConfig("oai", URI.create("https://api.openai.com/v1/"), Optional.empty()))) {
            assertEquals(URI.create("wss://api.openai.com/v1/realtime?model=gpt-realtime%202025%2F08%26x%3D1"),
                    connector.endpoint("gpt-realtime 2025/08&x=1"));
        }
    }
}
