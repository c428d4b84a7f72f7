package dev.switchboard.broker.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Set;

/**
 * One JSON object per log event, ending with a newline:
 * <pre>{"timestamp":"2025-01-31T09:00:00.000Z","level":"WARN","logger":"dev.switchboard.broker.operator",
 * "thread":"switchboard-retry","message":"…","tenant":"acme","session":"sess_…","trace_id":"…","span_id":"…",
 * "exception":{"type":"java.io.IOException","message":"…","stack":"…"}}</pre>
 * The MDC entries and {@code exception} appear only when the event has them. Jackson writes the text, so every
 * string is escaped as JSON requires. Thread-safe: each event gets its own generator.
 */
final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {
    private static final JsonFactory JSON = new JsonFactory();
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX")
            .withZone(ZoneOffset.UTC);
    /** Field names of the event itself; an MDC entry of the same name is not written over them. */
    private static final Set<String> FIXED = Set.of("timestamp", "level", "logger", "thread", "message", "exception");

    @Override
    public byte[] headerBytes() {
        return null;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator json = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            json.writeStartObject();
            json.writeStringField("timestamp", TIMESTAMP.format(Instant.ofEpochMilli(event.getTimeStamp())));
            json.writeStringField("level", event.getLevel().toString());
            json.writeStringField("logger", event.getLoggerName());
            json.writeStringField("thread", event.getThreadName());
            json.writeStringField("message", event.getFormattedMessage());
            writeContext(json, event.getMDCPropertyMap());
            IThrowableProxy thrown = event.getThrowableProxy();
            if (thrown != null) {
                json.writeObjectFieldStart("exception");
                json.writeStringField("type", thrown.getClassName());
                json.writeStringField("message", thrown.getMessage());
                json.writeStringField("stack", ThrowableProxyUtil.asString(thrown));
                json.writeEndObject();
            }
            json.writeEndObject();
        } catch (IOException e) {
            // A ByteArrayOutputStream does not fail; Jackson declares it.
            throw new UncheckedIOException(e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    private static void writeContext(JsonGenerator json, Map<String, String> mdc) throws IOException {
        if (mdc == null || mdc.isEmpty()) {
            return;
        }
        for (String key : LogSetup.CONTEXT_KEYS) {
            String value = mdc.get(key);
            if (value != null) {
                json.writeStringField(key, value);
            }
        }
        for (Map.Entry<String, String> entry : mdc.entrySet()) {
            if (!LogSetup.CONTEXT_KEYS.contains(entry.getKey()) && !FIXED.contains(entry.getKey())) {
                json.writeStringField(entry.getKey(), entry.getValue());
            }
        }
    }

    @Override
    public byte[] footerBytes() {
        return null;
    }
}
