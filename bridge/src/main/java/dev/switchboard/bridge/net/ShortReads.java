package dev.switchboard.bridge.net;

import java.util.concurrent.atomic.LongAdder;

/**
 * Spares the read that would find nothing. Jetty reads a socket until a read returns no bytes, so every message
 * that arrives alone costs two {@code read} system calls, the second one empty (2.4 reads per streamed token at 50
 * SSE streams, issue 12). A read that fills less than the room it was given emptied the kernel's receive queue,
 * so the fill after it is answered with 0 without a system call, and Jetty asks the selector for read interest
 * instead — what nginx does. Bytes that arrived in between are not lost: Java's selector is level-triggered, so
 * it reports the socket readable at once and the next fill reads them; the end of the stream likewise.
 *
 * <p>Only the upstream SSE client uses it. On the broker's listener it made WebSocket connects queue under a
 * 500-per-second ramp (connect p99 0.7 s to 6.5 s; cause not found), so it is not used there, nor on the relay's
 * provider sockets, whose connect path is alike.
 *
 * <p>Use in an end point's {@code fill}: {@code if (reads.skip()) return 0;} then
 * {@code return reads.filled(room, super.fill(buffer));} with the room the buffer had.
 *
 * <p>Threading: one per end point. Jetty never fills one end point from two threads at once and hands fills
 * between threads through its own locks; a stale flag would only cost one read or one selector round, never bytes.
 */
public final class ShortReads {
    private final LongAdder skipped;
    private boolean drained;

    /** @param skipped counts the reads spared (may be shared by many end points) */
    public ShortReads(LongAdder skipped) {
        this.skipped = skipped;
    }

    /** Whether this fill is answered with 0 bytes without reading, because the previous read emptied the socket. */
    public boolean skip() {
        if (!drained) {
            return false;
        }
        drained = false;
        skipped.increment();
        return true;
    }

    /**
     * Notes a read's result.
     *
     * @param room the space the buffer had for it
     * @param filled what the read returned (bytes, 0, or -1 at the end of the stream)
     * @return {@code filled}
     */
    public int filled(int room, int filled) {
        drained = filled > 0 && filled < room;
        return filled;
    }
}
