package dev.switchboard.broker.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Reads the newest records of an audit directory, newest first, for the admin API ({@code GET /admin/audit}).
 *
 * <h2>Threading and the writer</h2>
 * Stateless and thread-safe; called on an admin API thread, which may block on the disk. It never touches the
 * writer's state ({@link ChainWriter} stays confined to {@code switchboard-audit}): it opens the day files for
 * reading on its own channels, the way any other reader of the directory would. Each file is read backwards from
 * the size it had when opened, so records appended meanwhile are simply not seen. Bytes after a file's last newline
 * are a record being written (or a torn tail the writer will cut) and are skipped; a line that is not a JSON object
 * is skipped too. A file that shrinks under the reader (the writer cutting a torn tail) ends that file's scan.
 *
 * <h2>Bounds</h2>
 * At most {@link #MAX_SCAN_BYTES} bytes are read per call, in chunks of {@value #CHUNK_BYTES}, newest file first:
 * a filter that matches rarely may therefore return fewer records than asked for although older ones exist.
 */
final class AuditTail {
    /** Bytes read per call at most, across files. */
    static final long MAX_SCAN_BYTES = 8L << 20;
    private static final int CHUNK_BYTES = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final long maxScanBytes;

    AuditTail(Path dir) {
        this(dir, MAX_SCAN_BYTES);
    }

    AuditTail(Path dir, long maxScanBytes) {
        this.dir = dir;
        this.maxScanBytes = maxScanBytes;
    }

    /**
     * The newest records whose {@code tenant} field {@code tenants} accepts, newest first, at most {@code limit}.
     *
     * @throws IOException when the directory or a file in it cannot be read (a missing directory has no records)
     */
    List<JsonNode> newest(int limit, Predicate<String> tenants) throws IOException {
        List<JsonNode> found = new ArrayList<>(Math.min(limit, 512));
        List<Path> files;
        try {
            files = DayFiles.list(dir);
        } catch (NoSuchFileException e) {
            return found;
        }
        long[] budget = {maxScanBytes};
        for (int i = files.size() - 1; i >= 0 && found.size() < limit && budget[0] > 0; i--) {
            try (FileChannel in = FileChannel.open(files.get(i), StandardOpenOption.READ)) {
                scan(in, budget, line -> {
                    parse(line).filter(r -> tenants.test(r.path("tenant").asText(""))).ifPresent(found::add);
                    return found.size() < limit;
                });
            } catch (NoSuchFileException e) {
                // Archived away since it was listed: older files still count.
            }
        }
        return found;
    }

    /** The record on {@code line}, if it is a JSON object. */
    private static Optional<JsonNode> parse(byte[] line) {
        try {
            JsonNode node = JSON.readTree(line);
            return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** What takes each complete line, newest first: whether it wants more. */
    @FunctionalInterface
    private interface LineSink {
        boolean take(byte[] line);
    }

    /**
     * Hands {@code sink} the complete lines of {@code in}, last first, until it wants no more, the file's start or
     * the budget ({@code budget[0]}, decreased by what is read) is reached.
     */
    private static void scan(FileChannel in, long[] budget, LineSink sink) throws IOException {
        long pos = in.size();
        // The bytes after the newest newline seen so far that belong to a line not yet handed over; before the
        // first newline is seen they are the unfinished last line, which is dropped.
        byte[] carry = new byte[0];
        boolean sawNewline = false;
        while (pos > 0 && budget[0] > 0) {
            int size = (int) Math.min(Math.min(CHUNK_BYTES, pos), budget[0]);
            ByteBuffer chunk = ByteBuffer.allocate(size + carry.length);
            long start = pos - size;
            if (!readFully(in, chunk, start, size)) {
                return;
            }
            budget[0] -= size;
            pos = start;
            chunk.limit(chunk.capacity()).put(carry);
            byte[] bytes = chunk.array();
            int end = bytes.length;
            for (int i = size - 1; i >= 0; i--) {
                if (bytes[i] != '\n') {
                    continue;
                }
                if (sawNewline && i + 1 < end && !sink.take(Arrays.copyOfRange(bytes, i + 1, end))) {
                    return;
                }
                sawNewline = true;
                end = i;
            }
            carry = sawNewline ? Arrays.copyOf(bytes, end) : new byte[0];
        }
        if (pos == 0 && sawNewline && carry.length > 0) {
            sink.take(carry);
        }
    }

    /** Reads {@code size} bytes at {@code start} into {@code into}; false when the file ended first (it shrank). */
    private static boolean readFully(FileChannel in, ByteBuffer into, long start, int size) throws IOException {
        into.limit(size);
        long at = start;
        while (into.position() < size) {
            int n = in.read(into, at);
            if (n < 0) {
                return false;
            }
            at += n;
        }
        return true;
    }
}
