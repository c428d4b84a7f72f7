package dev.switchboard.broker.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.Map;

/**
 * {@code %ctx} in the text pattern: {@code  [tenant=acme session=sess_… trace_id=… span_id=…]} when the line
 * carries MDC entries, nothing otherwise, so lines not about a session look as they always did. Stateless.
 */
final class ContextConverter extends ClassicConverter {

    @Override
    public String convert(ILoggingEvent event) {
        Map<String, String> mdc = event.getMDCPropertyMap();
        if (mdc == null || mdc.isEmpty()) {
            return "";
        }
        StringBuilder text = new StringBuilder(" [");
        for (String key : LogSetup.CONTEXT_KEYS) {
            String value = mdc.get(key);
            if (value != null) {
                append(text, key, value);
            }
        }
        mdc.forEach((key, value) -> {
            if (!LogSetup.CONTEXT_KEYS.contains(key)) {
                append(text, key, value);
            }
        });
        return text.append(']').toString();
    }

    private static void append(StringBuilder text, String key, String value) {
        if (text.length() > 2) {
            text.append(' ');
        }
        text.append(key).append('=').append(value);
    }
}
