package dev.switchboard.loadtest;

import java.time.Instant;

/**
 * The simulator's delta timestamp: with {@code sim_stamp: "true"} every content delta starts with
 * {@code [[t=<epoch micros>]]}, the simulator's wall clock just before it wrote the chunk. The harness strips
 * the marker (the regex {@code ^\[\[t=(\d+)]]}) before using any text, and subtracts the stamp from its own
 * wall clock on receipt to get the latency the broker added. Stateless.
 */
final class Stamp {
    /** No marker at the start of the text. */
    static final long NONE = -1;
    private static final char[] OPEN = {'[', '[', 't', '='};
    /** More digits than a {@code long} of microseconds can hold. */
    private static final int MAX_DIGITS = 18;

    private Stamp() {
    }

    /**
     * Reads a marker at {@code chars[offset]} without allocating.
     *
     * @return the stamp in epoch microseconds, or {@link #NONE}
     */
    static long parse(char[] chars, int offset, int length) {
        int end = markerEnd(chars, offset, length);
        if (end < 0) {
            return NONE;
        }
        long value = 0;
        for (int p = offset + OPEN.length; p < end - 2; p++) {
            value = value * 10 + (chars[p] - '0');
        }
        return value;
    }

    /** The text with a leading marker removed. */
    static String strip(String text) {
        char[] chars = text.toCharArray();
        int end = markerEnd(chars, 0, chars.length);
        return end < 0 ? text : text.substring(end);
    }

    /** Index just past a well-formed marker at {@code offset}, or -1 when there is none. */
    static int markerEnd(char[] chars, int offset, int length) {
        if (length < OPEN.length + 3) {
            return -1;
        }
        for (int k = 0; k < OPEN.length; k++) {
            if (chars[offset + k] != OPEN[k]) {
                return -1;
            }
        }
        int limit = offset + length;
        int p = offset + OPEN.length;
        while (p < limit && chars[p] >= '0' && chars[p] <= '9') {
            p++;
        }
        int digits = p - offset - OPEN.length;
        if (digits == 0 || digits > MAX_DIGITS || p + 1 >= limit || chars[p] != ']' || chars[p + 1] != ']') {
            return -1;
        }
        return p + 2;
    }

    /** The wall clock in epoch microseconds, read the way the simulator reads it ({@link Instant#now()}). */
    static long wallMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }
}
