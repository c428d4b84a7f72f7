package dev.switchboard.broker.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The two log formats as Logback writes them: JSON lines with the MDC ids, and text with the ids appended. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class LogFormatTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final LoggerContext context = new LoggerContext();
    private final Logger logger = context.getLogger("dev.switchboard.broker.operator");

    private LoggingEvent event(String message, Map<String, String> mdc, Throwable thrown) {
        LoggingEvent event = new LoggingEvent("test", logger, Level.WARN, message, thrown, new Object[] {"p1"});
        event.setMDCPropertyMap(mdc);
        event.setTimeStamp(1_700_000_000_123L);
        event.setThreadName("switchboard-retry");
        return event;
    }

    @Test
    void a_json_line_has_the_timestamp_level_logger_message_ids_and_exception() throws IOException {
        JsonLineEncoder encoder = new JsonLineEncoder();
        encoder.setContext(context);
        encoder.start();
        byte[] line = encoder.encode(event("upstream {} said \"no\"\nand\u0001more: ünïcode", Map.of(
                LogSetup.TENANT, "acme", LogSetup.SESSION, "sess_1",
                LogSetup.TRACE_ID, "0af7651916cd43dd8448eb211c80319c", LogSetup.SPAN_ID, "b7ad6b7169203331"),
                new IllegalStateException("boom")));
        String text = new String(line, StandardCharsets.UTF_8);
        assertTrue(text.endsWith("\n"), text);
        assertEquals(1, text.split("\n", -1).length - 1, "one line: " + text);
        JsonNode json = JSON.readTree(text);
        assertEquals("2023-11-14T22:13:20.123Z", json.path("timestamp").asText());
        assertEquals("WARN", json.path("level").asText());
        assertEquals("dev.switchboard.broker.operator", json.path("logger").asText());
        assertEquals("switchboard-retry", json.path("thread").asText());
        assertEquals("upstream p1 said \"no\"\nand\u0001more: ünïcode", json.path("message").asText());
        assertEquals("acme", json.path("tenant").asText());
        assertEquals("sess_1", json.path("session").asText());
        assertEquals("0af7651916cd43dd8448eb211c80319c", json.path("trace_id").asText());
        assertEquals("b7ad6b7169203331", json.path("span_id").asText());
        assertEquals("java.lang.IllegalStateException", json.path("exception").path("type").asText());
        assertEquals("boom", json.path("exception").path("message").asText());
        assertTrue(json.path("exception").path("stack").asText().contains("LogFormatTest"), json::toString);
    }

    @Test
    void a_json_line_without_context_has_no_id_fields_and_no_exception() throws IOException {
        JsonLineEncoder encoder = new JsonLineEncoder();
        encoder.setContext(context);
        encoder.start();
        JsonNode json = JSON.readTree(encoder.encode(event("plain", Map.of(), null)));
        assertFalse(json.has("tenant"));
        assertFalse(json.has("exception"));
        assertEquals("plain", json.path("message").asText());
    }

    @Test
    void a_text_line_reads_as_before_with_the_ids_appended_only_when_there_are_some() {
        PatternLayout layout = new PatternLayout();
        layout.getInstanceConverterMap().put("ctx", ContextConverter::new);
        layout.setPattern(LogSetup.TEXT_PATTERN);
        layout.setContext(context);
        layout.start();
        String plain = layout.doLayout(event("circuit breaker of provider {} opened", Map.of(), null));
        assertTrue(plain.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}[+-]\\d{4} WARN "
                + "dev\\.switchboard\\.broker\\.operator - circuit breaker of provider p1 opened\\R"), plain);
        String about = layout.doLayout(event("attempt failed", Map.of(LogSetup.SESSION, "sess_1",
                LogSetup.TENANT, "acme"), null));
        assertTrue(about.endsWith(" - attempt failed [tenant=acme session=sess_1]" + System.lineSeparator()), about);
    }
}
