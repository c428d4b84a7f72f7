package dev.switchboard.bridge.sse;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Incremental parser for the {@code text/event-stream} format. Bytes may be split anywhere, including inside a
 * multi-byte UTF-8 character or a {@code \r\n} pair: a line is decoded only once complete. Lines longer than the
 * limit are a protocol error. A leading byte order mark is skipped, as the specification requires. Not
 * thread-safe: one parser per stream.
 */
public final class SseParser {
    private final int maxLineBytes;
    private byte[] line;
    private int lineLength;
    private boolean lastWasCr;
    private boolean atStreamStart = true;
    private final StringBuilder data = new StringBuilder();
    private boolean hasData;
    private String eventType = "";
    private String lastId = "";

    /**
     * A parser refusing lines longer than {@code maxLineBytes}.
     *
     * @throws IllegalArgumentException when {@code maxLineBytes} is not positive
     */
    public SseParser(int maxLineBytes) {
        if (maxLineBytes <= 0) {
            throw new IllegalArgumentException("maxLineBytes must be > 0");
        }
        this.maxLineBytes = maxLineBytes;
        // Never larger than the limit, or append() would accept lines up to the initial capacity.
        this.line = new byte[Math.min(256, maxLineBytes)];
    }

    /**
     * Consumes all remaining bytes of {@code buffer}, emitting each complete event.
     *
     * @throws SseFormatException when a line exceeds the limit
     */
    public void feed(ByteBuffer buffer, Consumer<SseEvent> sink) {
        while (buffer.hasRemaining()) {
            byte b = buffer.get();
            if (b == '\n') {
                if (!lastWasCr) {
                    endLine(sink);
                }
                lastWasCr = false;
            } else if (b == '\r') {
                endLine(sink);
                lastWasCr = true;
            } else {
                lastWasCr = false;
                append(b);
            }
        }
    }

    private void append(byte b) {
        if (lineLength == line.length) {
            if (line.length >= maxLineBytes) {
                throw new SseFormatException("SSE line longer than " + maxLineBytes + " bytes");
            }
            byte[] bigger = new byte[Math.min(maxLineBytes, line.length * 2)];
            System.arraycopy(line, 0, bigger, 0, lineLength);
            line = bigger;
        }
        line[lineLength++] = b;
    }

    private void endLine(Consumer<SseEvent> sink) {
        String text = lineLength == 0 ? "" : new String(line, 0, lineLength, StandardCharsets.UTF_8);
        lineLength = 0;
        if (atStreamStart) {
            atStreamStart = false;
            // The specification strips one leading UTF-8 byte order mark from the stream.
            if (text.startsWith("\uFEFF")) {
                text = text.substring(1);
            }
        }
        if (text.isEmpty()) {
            dispatch(sink);
            return;
        }
        if (text.charAt(0) == ':') {
            return; // comment / heartbeat
        }
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        String value = colon < 0 ? "" : text.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "data" -> {
                if (hasData) {
                    data.append('\n');
                }
                data.append(value);
                hasData = true;
            }
            case "event" -> eventType = value;
            case "id" -> {
                if (value.indexOf('\0') < 0) {
                    lastId = value;
                }
            }
            default -> {
                // "retry" and unknown fields are ignored, as the SSE specification requires.
            }
        }
    }

    private void dispatch(Consumer<SseEvent> sink) {
        if (hasData) {
            sink.accept(new SseEvent(eventType.isEmpty() ? "message" : eventType, data.toString(), lastId));
        }
        data.setLength(0);
        hasData = false;
        eventType = "";
    }

    /** Bytes of an unfinished line or event are buffered; true when nothing is pending. */
    public boolean isIdle() {
        return lineLength == 0 && !hasData;
    }
}
