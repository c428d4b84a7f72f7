package dev.switchboard.broker.resume;

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
    /** A ring that grows by doubling up to {@code maxEvents}; {@code head} is the oldest frame. */
    private String[] frames = new String[8];
    private int head;
    private int size;
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
        if (size == frames.length) {
            if (size < maxEvents) {
                grow();
            } else {
                evictOldest();
            }
        }
        frames[(head + size) % frames.length] = frame;
        size++;
        bytes += frame.length();
        lastSeq = seq;
        while (size > 1 && bytes > maxBytes) {
            evictOldest();
        }
    }

    private void grow() {
        String[] bigger = new String[(int) Math.min(maxEvents, 2L * frames.length)];
        for (int i = 0; i < size; i++) {
            bigger[i] = frames[(head + i) % frames.length];
        }
        frames = bigger;
        head = 0;
    }

    private void evictOldest() {
        bytes -= frames[head].length();
        frames[head] = null;
        head = (head + 1) % frames.length;
        size--;
    }

    /** The seq of the newest frame, 0 when none was ever appended. */
    public long lastSeq() {
        return lastSeq;
    }

    /** The seq of the oldest frame still held ({@code lastSeq() + 1} when empty). */
    public long firstSeq() {
        return lastSeq - size + 1;
    }

    /** Whether a client that has every event up to {@code seq} can be brought up to date from this log. */
    public boolean canReplayAfter(long seq) {
        return seq >= firstSeq() - 1 && seq <= lastSeq;
    }

    /** The frame of event {@code seq}, which must be between {@link #firstSeq()} and {@link #lastSeq()}. */
    public String frame(long seq) {
        if (seq < firstSeq() || seq > lastSeq) {
            throw new IllegalArgumentException("seq " + seq + " is outside " + firstSeq() + ".." + lastSeq);
        }
        return frames[(int) ((head + (seq - firstSeq())) % frames.length)];
    }

    /** Whether the log is at least three quarters full, by events or by bytes. */
    public boolean nearlyFull() {
        return size >= maxEvents - maxEvents / 4 || bytes >= maxBytes - maxBytes / 4;
    }

    /** Frames held. */
    public int size() {
        return size;
    }

    /** Characters held. */
    public long bytes() {
        return bytes;
    }
}
