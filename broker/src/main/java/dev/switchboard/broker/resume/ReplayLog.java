package dev.switchboard.broker.resume;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;

/**
 * One session's most recent server events, as encoded frames, for replay after a resume. Its {@code seq}s are
 * contiguous: the session appends every event it emits, in order. Bounded by events and by bytes (UTF-8); the
 * oldest frames go first, but the newest is always kept.
 *
 * <p>Storage is built for the garbage collector, measured at 1,000 streaming sessions: the frames' UTF-8 bytes go
 * back to back into fixed 16 KiB blocks (allocated as the log fills, dropped as it empties: never copied to grow,
 * and never large enough to be a G1 humongous object), and their positions and lengths into two primitive rings.
 * No object is retained per frame. (Keeping the frames as {@code String}s kept every event alive until it was
 * promoted; one growing byte ring reached humongous sizes; both took the broker's tail latency up several times.)
 * A replayed frame is decoded back to a {@code String} on the way out.
 *
 * <p>Small start (issue 12): many sessions log a few small frames ({@code session.created} is about 400 bytes)
 * and then sit idle, so a log does not take a pooled block until it needs one. Its first frame goes into a start
 * buffer of exactly its size; while the frames held fit in {@link #START_MAX_BYTES}, a frame that does not fit
 * moves them (without the evicted bytes before them) into a new start buffer, twice the old one or as large as
 * they need, at most the cap; past the cap they move into a pooled block, and from there on the log grows block
 * by block as above. The start buffer stands as block 0, so reads and evictions work the same in both modes; it is
 * never given to the pool. Measured at 15,000 idle sessions: 26.6 KB of broker heap each with a whole block,
 * 10.6 KB with the start buffer (see {@code docs/benchmarks.md}).
 *
 * <p>Confined to the owning session's shard thread.
 */
public final class ReplayLog {
    static final int BLOCK_BYTES = 16 * 1024;
    /** The most bytes a log holds in its start buffer before it moves into pooled blocks. */
    static final int START_MAX_BYTES = 4 * 1024;
    private static final int INITIAL_FRAMES = 8;

    private final int maxEvents;
    private final long maxBytes;
    private final BlockPool pool;
    private final ArrayList<byte[]> blocks = new ArrayList<>();
    /** Logical position of the first byte of {@code blocks.get(0)}. */
    private long blocksStart;
    /** Logical position of the oldest frame's first byte. */
    private long startPos;
    /** Logical position just after the newest frame's last byte. */
    private long endPos;
    private long[] positions = new long[INITIAL_FRAMES];
    private int[] lengths = new int[INITIAL_FRAMES];
    /** Index in the rings of the oldest frame. */
    private int head;
    private int size;
    private long lastSeq;

    /** A log keeping at most {@code maxEvents} frames and {@code maxBytes} bytes, with blocks of its own. */
    public ReplayLog(int maxEvents, long maxBytes) {
        this(maxEvents, maxBytes, new BlockPool(1));
    }

    /** A log keeping at most {@code maxEvents} frames and {@code maxBytes} bytes, taking blocks from {@code pool}. */
    public ReplayLog(int maxEvents, long maxBytes, BlockPool pool) {
        this.pool = pool;
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
        byte[] bytes = ascii(frame) ? null : frame.getBytes(StandardCharsets.UTF_8);
        int length = bytes == null ? frame.length() : bytes.length;
        while (size > 0 && (size >= maxEvents || endPos - startPos + length > maxBytes)) {
            evictOldest();
        }
        if (size == positions.length) {
            growIndex();
        }
        int slot = (head + size) % positions.length;
        positions[slot] = endPos;
        lengths[slot] = length;
        size++;
        write(frame, bytes, length);
        lastSeq = seq;
    }

    /** Whether every char is ASCII, so the frame's UTF-8 bytes are its chars and can be copied without encoding. */
    private static boolean ascii(String frame) {
        for (int i = 0; i < frame.length(); i++) {
            if (frame.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** Writes the frame's bytes: {@code utf8} when it had to be encoded, else the ASCII chars themselves. */
    @SuppressWarnings("deprecation")
    private void write(String frame, byte[] utf8, int length) {
        if (inStartBuffer()) {
            makeStartRoom(length);
        }
        int written = 0;
        while (written < length) {
            long blockIndex = (endPos - blocksStart) / BLOCK_BYTES;
            if (blockIndex == blocks.size()) {
                blocks.add(pool.take());
            }
            int offset = (int) ((endPos - blocksStart) % BLOCK_BYTES);
            int chunk = Math.min(length - written, BLOCK_BYTES - offset);
            byte[] block = blocks.get((int) blockIndex);
            if (utf8 != null) {
                System.arraycopy(utf8, written, block, offset, chunk);
            } else {
                // ASCII: the low byte of each char is its UTF-8 byte; this copies without allocating.
                frame.getBytes(written, written + chunk, block, offset);
            }
            written += chunk;
            endPos += chunk;
        }
    }

    /**
     * Gives every pooled block back (a start buffer is left to the collector); the log is empty afterwards, and
     * keeps its seq position.
     */
    public void release() {
        for (byte[] block : blocks) {
            if (block.length == BLOCK_BYTES) {
                pool.release(block);
            }
        }
        blocks.clear();
        size = 0;
        head = 0;
        startPos = endPos;
        blocksStart = endPos;
    }

    /** Whether the log has taken no pooled block yet: it holds nothing, or only its start buffer. */
    private boolean inStartBuffer() {
        return blocks.isEmpty() || blocks.get(0).length < BLOCK_BYTES;
    }

    /**
     * Before {@code length} more bytes go into the start buffer: when they do not fit after the bytes already
     * written, moves the frames held (not the evicted bytes before them) to the start of a larger buffer, or of
     * a pooled block once they would pass {@link #START_MAX_BYTES}.
     */
    private void makeStartRoom(int length) {
        byte[] start = blocks.isEmpty() ? null : blocks.get(0);
        if (start != null && endPos - blocksStart + length <= start.length) {
            return;
        }
        int held = (int) (endPos - startPos);
        long needed = (long) held + length;
        byte[] next;
        if (needed > START_MAX_BYTES) {
            next = pool.take();
        } else {
            int doubled = start == null ? 0 : Math.min(START_MAX_BYTES, 2 * start.length);
            next = new byte[(int) Math.max(needed, doubled)];
        }
        if (start == null) {
            blocks.add(next);
        } else {
            System.arraycopy(start, (int) (startPos - blocksStart), next, 0, held);
            blocks.set(0, next);
        }
        blocksStart = startPos;
    }

    private void evictOldest() {
        head = (head + 1) % positions.length;
        size--;
        startPos = size == 0 ? endPos : positions[head];
        // Blocks wholly before the oldest frame are no longer needed; keep the one being written.
        while (blocks.size() > 1 && blocksStart + BLOCK_BYTES <= startPos) {
            pool.release(blocks.remove(0));
            blocksStart += BLOCK_BYTES;
        }
    }

    private void growIndex() {
        int capacity = (int) Math.min(maxEvents, 2L * positions.length);
        long[] newPositions = new long[Math.max(capacity, size + 1)];
        int[] newLengths = new int[newPositions.length];
        for (int i = 0; i < size; i++) {
            newPositions[i] = positions[(head + i) % positions.length];
            newLengths[i] = lengths[(head + i) % positions.length];
        }
        positions = newPositions;
        lengths = newLengths;
        head = 0;
    }

    /**
     * A client's position as sent on the wire ({@code last_seq}, the tail of a {@code Last-Event-ID}): a
     * non-negative decimal integer of at most 18 digits, or -1 when {@code text} is null or anything else.
     */
    public static long parseSeq(String text) {
        if (text == null || text.isEmpty() || text.length() > 18) {
            return -1;
        }
        for (int i = 0; i < text.length(); i++) {
            if (!Character.isDigit(text.charAt(i))) {
                return -1;
            }
        }
        return Long.parseLong(text);
    }

    /** The seq of the newest frame, 0 when none was ever appended. */
    public long lastSeq() {
        return lastSeq;
    }

    /**
     * Starts an empty log after {@code seq}: its first frame will be {@code seq + 1} (a session taken over from another
     * node whose mirrored frames begin past 1, issue 17).
     */
    public void startAfter(long seq) {
        if (size != 0 || seq < 0) {
            throw new IllegalStateException("only an empty log can start after a seq");
        }
        lastSeq = seq;
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
        int slot = (int) ((head + (seq - firstSeq())) % positions.length);
        long position = positions[slot];
        int length = lengths[slot];
        byte[] out = new byte[length];
        int read = 0;
        while (read < length) {
            long at = position + read - blocksStart;
            int offset = (int) (at % BLOCK_BYTES);
            int chunk = Math.min(length - read, BLOCK_BYTES - offset);
            System.arraycopy(blocks.get((int) (at / BLOCK_BYTES)), offset, out, read, chunk);
            read += chunk;
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /** Whether the log is at least three quarters full, by events or by bytes. */
    public boolean nearlyFull() {
        return size >= maxEvents - maxEvents / 4 || bytes() >= maxBytes - maxBytes / 4;
    }

    /** Frames held. */
    public int size() {
        return size;
    }

    /** UTF-8 bytes held. */
    public long bytes() {
        return endPos - startPos;
    }
}
