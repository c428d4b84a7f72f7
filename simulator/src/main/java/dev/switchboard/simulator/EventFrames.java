package dev.switchboard.simulator;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

/**
 * The byte layout every SSE encoder shares: a preamble before the first token, one event per token made of a
 * fixed prefix, the token's pre-escaped JSON string literal and a fixed suffix, and a trailer after the last.
 * Encoders serialise these parts once per stream, so the per-token cost is a few array copies.
 *
 * <p>Two optional twists: {@code stamp} puts {@code [[t=MICROS]]} inside each token's string, after its opening
 * quote, and {@code malformedAt} writes one extra, deliberately broken event just before the token event with
 * that 1-based index (the {@code malformed_at} fault). Not thread-safe: it counts the tokens it has encoded, so
 * one instance serves one stream, called by one thread at a time.
 */
final class EventFrames {

    private final byte[] preamble;
    private final byte[] tokenPrefix;
    private final byte[] tokenSuffix;
    private final byte[] trailer;
    private final boolean stamp;
    private final int malformedAt;
    private final byte[] malformed;
    private int encoded;

    /**
     * @param malformedAt 1-based index of the token preceded by {@code malformed}; 0 for none
     */
    EventFrames(String preamble, String tokenPrefix, String tokenSuffix, String trailer, boolean stamp,
            int malformedAt, String malformed) {
        this.preamble = bytes(preamble);
        this.tokenPrefix = bytes(tokenPrefix);
        this.tokenSuffix = bytes(tokenSuffix);
        this.trailer = bytes(trailer);
        this.stamp = stamp;
        this.malformedAt = malformedAt;
        this.malformed = bytes(Objects.requireNonNull(malformed, "malformed"));
    }

    /** See {@link StreamEncoder#encode}. */
    ByteBuffer encode(boolean first, Token[] tokens, int count, boolean last) {
        byte[] stampBytes = stamp ? bytes("\"[[t=" + epochMicros() + "]]") : null;
        boolean malformedHere = malformedAt > encoded && malformedAt <= encoded + count;
        int size = (first ? preamble.length : 0) + (last ? trailer.length : 0)
                + (malformedHere ? malformed.length : 0);
        for (int i = 0; i < count; i++) {
            size += tokenPrefix.length + tokens[i].jsonUtf8().length + tokenSuffix.length;
            size += stampBytes == null ? 0 : stampBytes.length - 1;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        if (first) {
            buffer.put(preamble);
        }
        for (int i = 0; i < count; i++) {
            if (++encoded == malformedAt) {
                buffer.put(malformed);
            }
            byte[] json = tokens[i].jsonUtf8();
            if (stampBytes == null) {
                buffer.put(tokenPrefix).put(json).put(tokenSuffix);
            } else {
                buffer.put(tokenPrefix).put(stampBytes).put(json, 1, json.length - 1).put(tokenSuffix);
            }
        }
        if (last) {
            buffer.put(trailer);
        }
        return buffer.flip();
    }

    static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    private static long epochMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }
}
