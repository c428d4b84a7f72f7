package dev.switchboard.bridge.anthropic;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * The per-token fast path of {@link AnthropicEventMapper}: reads a {@code content_block_delta} event with Jackson's
 * streaming parser, taking only the block index, the delta type and its text ({@code text} of a
 * {@code text_delta}, {@code partial_json} of an {@code input_json_delta}), instead of building a tree per token.
 * Not thread-safe: one instance per stream, reused for every event.
 */
final class DeltaScanner {
    /** The block index, or -1 when absent. */
    int index;
    /** The delta's {@code type}, or empty. */
    String deltaType = "";
    /** The delta's text or JSON fragment, or empty. */
    String fragment = "";

    private final JsonFactory factory;

    DeltaScanner(JsonFactory factory) {
        this.factory = factory;
    }

    /**
     * Scans one event's data.
     *
     * @throws IOException when the data is not one valid JSON object (the caller counts it as malformed)
     */
    void scan(String data) throws IOException {
        index = -1;
        deltaType = "";
        fragment = "";
        try (JsonParser parser = factory.createParser(data)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("a content_block_delta is not a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals("index") && value == JsonToken.VALUE_NUMBER_INT) {
                    index = parser.getIntValue();
                } else if (name.equals("delta") && value == JsonToken.START_OBJECT) {
                    readDelta(parser);
                } else {
                    parser.skipChildren();
                }
            }
            // Read to the end, so a truncated event counts as malformed rather than half-read.
            if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
                throw new IOException("a content_block_delta has trailing or missing data");
            }
        }
    }

    private void readDelta(JsonParser parser) throws IOException {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (value == JsonToken.VALUE_STRING && name.equals("type")) {
                deltaType = parser.getText();
            } else if (value == JsonToken.VALUE_STRING && (name.equals("text") || name.equals("partial_json"))) {
                fragment = parser.getText();
            } else {
                parser.skipChildren();
            }
        }
    }
}
