package dev.switchboard.bridge.openai;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * The per-token fast path of {@link OpenAiChunkMapper}: reads a plain content chunk by hand
 * ({@link PlainChunkReader}) and anything else with Jackson's streaming parser,
 * taking only the fields the mapper needs, instead of building a tree per token. Chunks carrying {@code error}
 * or {@code tool_calls} are rare and are handed back to the tree-based path ({@link #needsTree}). Not
 * thread-safe: one instance per stream, reused for every chunk.
 */
final class ChunkScanner {
    String content;
    String finishReason;
    String model;
    long promptTokens;
    long completionTokens;
    boolean hasUsage;
    boolean needsTree;

    private final JsonFactory factory;
    private final @Nullable PlainChunkReader plain;

    ChunkScanner(JsonFactory factory) {
        this(factory, true);
    }

    /** @param plainFirst whether {@link PlainChunkReader} reads first (false: Jackson alone, for comparisons) */
    ChunkScanner(JsonFactory factory, boolean plainFirst) {
        this.factory = factory;
        this.plain = plainFirst ? new PlainChunkReader() : null;
    }

    /**
     * Scans one chunk.
     *
     * @throws IOException when the chunk is not valid JSON (the caller counts it as malformed)
     */
    void scan(String data) throws IOException {
        if (plain != null && plain.read(data, this)) {
            return;
        }
        content = null;
        finishReason = null;
        model = null;
        hasUsage = false;
        needsTree = false;
        try (JsonParser parser = factory.createParser(data)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                needsTree = true;
                return;
            }
            while (!needsTree && parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (name) {
                    case "error" -> needsTree = value != JsonToken.VALUE_NULL;
                    case "model" -> model = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                    case "usage" -> readUsage(parser, value);
                    case "choices" -> readChoices(parser, value);
                    default -> parser.skipChildren();
                }
            }
            if (!needsTree) {
                // Validate the remainder, so a truncated chunk counts as malformed rather than half-read.
                while (parser.nextToken() != null) {
                    parser.skipChildren();
                }
            }
        }
    }

    private void readUsage(JsonParser parser, JsonToken value) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            parser.skipChildren();
            return;
        }
        hasUsage = true;
        promptTokens = 0;
        completionTokens = 0;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken token = parser.nextToken();
            if (name.equals("prompt_tokens") && token == JsonToken.VALUE_NUMBER_INT) {
                promptTokens = parser.getLongValue();
            } else if (name.equals("completion_tokens") && token == JsonToken.VALUE_NUMBER_INT) {
                completionTokens = parser.getLongValue();
            } else {
                parser.skipChildren();
            }
        }
    }

    private void readChoices(JsonParser parser, JsonToken value) throws IOException {
        if (value != JsonToken.START_ARRAY) {
            parser.skipChildren();
            return;
        }
        boolean first = true;
        while (parser.nextToken() == JsonToken.START_OBJECT) {
            if (!first) {
                parser.skipChildren();
                continue;
            }
            first = false;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken token = parser.nextToken();
                if (name.equals("delta") && token == JsonToken.START_OBJECT) {
                    readDelta(parser);
                } else if (name.equals("finish_reason") && token == JsonToken.VALUE_STRING) {
                    finishReason = parser.getText();
                } else {
                    parser.skipChildren();
                }
            }
        }
    }

    private void readDelta(JsonParser parser) throws IOException {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken token = parser.nextToken();
            if (name.equals("content") && token == JsonToken.VALUE_STRING) {
                content = parser.getText();
            } else if (name.equals("tool_calls") && token != JsonToken.VALUE_NULL) {
                needsTree = true;
                parser.skipChildren();
            } else {
                parser.skipChildren();
            }
        }
    }
}
