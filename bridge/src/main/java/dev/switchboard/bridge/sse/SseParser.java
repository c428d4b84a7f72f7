package dev.switchboard.bridge.sse;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Incremental parser for the {@code text/event-stream} format. Bytes may be split anywhere, including inside a
 * multi-byte UTF-8 character or a {@code \r\n} pair: a line is decoded only once complete. Lines longer than the
 * limit are a protocol error. A leading byte order mark is skipped, as the specification requires. Not
 * thread-safe: one parser per stream.
 */
public final class SseParser {
    private static final byte[] DATA = "data".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT = "event".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ID = "id".getBytes(StandardCharsets.US_ASCII);
    private final int maxLineBytes;
    private byte[] line;
    private int lineLength;
    private boolean lastWasCr;
    private boolean atStreamStart = true;
    private final StringBuilder data = new StringBuilder();
    /** The event's data while it has one line (then {@link #data} is unused). */
    private String singleData;
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
     * Consumes all remaining bytes of {@code buffer}, emitting each complete event. The bytes between line ends
     * are copied in bulk (issue 12: this runs once per token on the selector thread).
     *
     * @throws SseFormatException when a line exceeds the limit
     */
    public void feed(ByteBuffer buffer, Consumer<SseEvent> sink) {
        int limit = buffer.limit();
        while (buffer.hasRemaining()) {
            int start = buffer.position();
            int end = start;
            byte b = 0;
            while (end < limit) {
                b = buffer.get(end);
                if (b == '\n' || b == '\r') {
                    break;
                }
                end++;
            }
            if (end > start) {
                lastWasCr = false;
                append(buffer, end - start);
            }
            if (end == limit) {
                return;
            }
            buffer.position(end + 1);
            if (b == '\n') {
                if (!lastWasCr) {
                    endLine(sink);
                }
                lastWasCr = false;
            } else {
                endLine(sink);
                lastWasCr = true;
            }
        }
    }

    /** Moves the next {@code count} bytes of {@code buffer} to the line. */
    private void append(ByteBuffer buffer, int count) {
        int needed = lineLength + count;
        if (needed > line.length) {
            if (needed > maxLineBytes) {
                throw new SseFormatException("SSE line longer than " + maxLineBytes + " bytes");
            }
            byte[] bigger = new byte[Math.min(maxLineBytes, Math.max(needed, line.length * 2))];
            System.arraycopy(line, 0, bigger, 0, lineLength);
            line = bigger;
        }
        buffer.get(line, lineLength, count);
        lineLength = needed;
    }

    private void endLine(Consumer<SseEvent> sink) {
        int from = 0;
        int length = lineLength;
        lineLength = 0;
        if (atStreamStart) {
            atStreamStart = false;
            // The specification strips one leading UTF-8 byte order mark from the stream.
            if (length >= 3 && line[0] == (byte) 0xEF && line[1] == (byte) 0xBB && line[2] == (byte) 0xBF) {
                from = 3;
            }
        }
        if (from == length) {
            dispatch(sink);
            return;
        }
        if (line[from] == ':') {
            return; // comment / heartbeat
        }
        int colon = from;
        while (colon < length && line[colon] != ':') {
            colon++;
        }
        int valueFrom = Math.min(colon + 1, length);
        if (valueFrom < length && line[valueFrom] == ' ') {
            valueFrom++;
        }
        int fieldLength = colon - from;
        if (isField(from, fieldLength, DATA)) {
            onData(text(valueFrom, length));
        } else if (isField(from, fieldLength, EVENT)) {
            eventType = text(valueFrom, length);
        } else if (isField(from, fieldLength, ID)) {
            String value = text(valueFrom, length);
            if (value.indexOf('\0') < 0) {
                lastId = value;
            }
        }
        // "retry" and unknown fields are ignored, as the SSE specification requires.
    }

    private boolean isField(int from, int length, byte[] name) {
        return length == name.length && Arrays.equals(line, from, from + length, name, 0, length);
    }

    /** The line's bytes from {@code from} to {@code to}, decoded. */
    private String text(int from, int to) {
        return new String(line, from, to - from, StandardCharsets.UTF_8);
    }

    /** One {@code data} line: most events have one, kept as it is; more are joined with line feeds. */
    private void onData(String value) {
        if (!hasData) {
            singleData = value;
            hasData = true;
            return;
        }
        if (singleData != null) {
            data.setLength(0);
            data.append(singleData);
            singleData = null;
        }
        data.append('\n').append(value);
    }

    private void dispatch(Consumer<SseEvent> sink) {
        if (hasData) {
            String joined = singleData != null ? singleData : data.toString();
            sink.accept(new SseEvent(eventType.isEmpty() ? "message" : eventType, joined, lastId));
        }
        singleData = null;
        hasData = false;
        eventType = "";
    }

    /** Bytes of an unfinished line or event are buffered; true when nothing is pending. */
    public boolean isIdle() {
        return lineLength == 0 && !hasData;
    }
}
