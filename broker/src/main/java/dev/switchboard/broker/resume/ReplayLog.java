package dev.switchboard.broker.resume;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.function.Consumer;

/**
 * One session's most recent server events, as encoded frames, for replay after a resume. Its {@code seq}s are
 * contiguous: the session appends every event it emits, in order. Bounded by events and by bytes (counted as
 * characters: frames are JSON, mostly ASCII); the oldest frames go first, but the newest is always kept.
 *
 * <p>Confined to the owning session's shard thread. Starts small and grows with use, so an idle session costs a
 * few hundred bytes, not its bound.
 */
public final class ReplayLog {
    private final int maxEvents;
    private final long maxBytes;
    private final ArrayDeque<String> frames = new ArrayDeque<>(8);
    private long lastSeq;
    private long bytes;

    /** A log keeping at most {@code maxEvents} frames and {@code maxBytes} characters. */
    public ReplayLog(int maxEvents, long maxBytes) {
        if (maxEvents < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("replay log bounds must be positive");
        }
        this.maxEvents = maxEvents;
        this.maxBytes = maxBytes;
    }

    /** Appends the frame of event {@code seq}, which must be {@link #lastSeq()} + 1, evicting the oldest as needed. */
    public void append(long seq, String frame) {
        if (seq != lastSeq + 1) {
            throw new IllegalStateException("seq " + seq + " does not follow " + lastSeq);
        }
        frames.addLast(frame);
        bytes += frame.length();
        lastSeq = seq;
        while (frames.size() > maxEvents || (bytes > maxBytes && frames.size() > 1)) {
            bytes -= frames.pollFirst().length();
        }
    }

    /** The seq of the newest frame, 0 when none was ever appended. */
    public long lastSeq() {
        return lastSeq;
    }

    /** The seq of the oldest frame still held ({@code lastSeq() + 1} when empty). */
    public long firstSeq() {
        return lastSeq - frames.size() + 1;
    }

    /** Whether a client that has every event up to {@code seq} can be brought up to date from this log. */
    public boolean canReplayAfter(long seq) {
        return seq >= firstSeq() - 1 && seq <= lastSeq;
    }

    /** Hands every frame after {@code seq}, oldest first, to {@code sink}. Requires {@link #canReplayAfter}. */
    public void forEachAfter(long seq, Consumer<String> sink) {
        if (!canReplayAfter(seq)) {
            throw new IllegalArgumentException("seq " + seq + " is outside " + firstSeq() + ".." + lastSeq);
        }
        long skip = seq - firstSeq() + 1;
        Iterator<String> it = frames.iterator();
        for (long i = 0; i < skip; i++) {
            it.next();
        }
        while (it.hasNext()) {
            sink.accept(it.next());
        }
    }

    /** Whether the log is at least three quarters full, by events or by bytes. */
    public boolean nearlyFull() {
        return frames.size() >= maxEvents - maxEvents / 4 || bytes >= maxBytes - maxBytes / 4;
    }

    /** Frames held. */
    public int size() {
        return frames.size();
    }

    /** Characters held. */
    public long bytes() {
        return bytes;
    }
}
