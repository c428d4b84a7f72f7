package dev.switchboard.bridge.realtime;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Finds the top-level {@code type} of a Realtime event without building a tree: a streaming parser reads field
 * names and skips values until it meets {@code type}. Providers put {@code type} first or second, so an audio
 * delta's large base64 payload is normally never scanned; if it comes first, it is skipped, not copied. Stateless
 * and thread-safe.
 */
final class EventType {
    private static final String NONE = "";

    private EventType() {
    }

    /**
     * The top-level {@code type} of {@code json}, or empty when there is none, it is not a string, or the text is
     * not a JSON object. Nested {@code type} fields (of an item or a part) are never taken.
     */
    static String of(JsonFactory factory, String json) {
        try (JsonParser parser = factory.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return NONE;
            }
            for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("type".equals(field)) {
                    return value == JsonToken.VALUE_STRING ? parser.getText() : NONE;
                }
                parser.skipChildren();
            }
            return NONE;
        } catch (IOException e) {
            return NONE;
        }
    }
}
