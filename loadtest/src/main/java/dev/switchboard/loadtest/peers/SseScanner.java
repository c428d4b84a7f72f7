package dev.switchboard.loadtest.peers;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Counts the tokens of one chat-completions SSE stream as its bytes arrive, in pieces cut anywhere. A token is a
 * {@code data:} event whose delta carries non-empty {@code content} (the {@code "content":""} of a role-only chunk
 * is not one); {@code data: [DONE]} ends the stream, and a {@code data:} event holding {@code "error"} before any
 * content is an error. Lines are scanned as bytes, never parsed as JSON: the client shares a core with the mock
 * and must stay cheap. Not thread-safe; one stream's content callbacks are never concurrent (Jetty's contract).
 */
final class SseScanner {
    private static final byte[] DATA = "data:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTENT = "\"content\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ERROR = "{\"error\"".getBytes(StandardCharsets.US_ASCII);
    /** Longer lines are counted by what fits; a chunk of one token is a few hundred bytes. */
    private static final int MAX_LINE = 1 << 16;

    private final byte[] line = new byte[MAX_LINE];
    private int length;
    private boolean done;
    private boolean error;

    /** Consumes {@code bytes} (position to limit) and returns the number of tokens completed by them. */
    int feed(ByteBuffer bytes) {
        int tokens = 0;
        while (bytes.hasRemaining()) {
            byte b = bytes.get();
            if (b == '\n') {
                tokens += endLine();
            } else if (length < MAX_LINE) {
                line[length++] = b;
            }
        }
        return tokens;
    }

    /** Whether {@code data: [DONE]} arrived. */
    boolean done() {
        return done;
    }

    /** Whether an in-band error event arrived. */
    boolean error() {
        return error;
    }

    private int endLine() {
        int end = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
        length = 0;
        if (!startsWith(0, end, DATA)) {
            return 0;
        }
        int from = DATA.length;
        if (from < end && line[from] == ' ') {
            from++;
        }
        if (startsWith(from, end, DONE)) {
            done = true;
            return 0;
        }
        if (startsWith(from, end, ERROR)) {
            error = true;
            return 0;
        }
        int at = indexOf(from, end, CONTENT);
        return at >= 0 && at + CONTENT.length < end && line[at + CONTENT.length] != '"' ? 1 : 0;
    }

    private boolean startsWith(int from, int end, byte[] prefix) {
        if (end - from < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (line[from + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private int indexOf(int from, int end, byte[] needle) {
        for (int i = from; i <= end - needle.length; i++) {
            if (startsWith(i, end, needle)) {
                return i;
            }
        }
        return -1;
    }
}
