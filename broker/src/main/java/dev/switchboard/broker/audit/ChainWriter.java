package dev.switchboard.broker.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Appends chained records to the daily files. Confined to the writer thread: not thread-safe.
 *
 * <p>The chain resumes from the last complete record on disk ({@link #resume}); a torn tail (a last line without
 * its newline, left by a crash) is cut off before anything is appended after it, so it never ends up inside the
 * chain. A record goes to the file of its UTC day, or of the latest day written when the clock went back, so
 * files stay in chain order. The in-memory last hash moves only when a record's bytes were written whole: after a
 * failed write the file is reopened (and its torn tail cut) before the next record.
 */
final class ChainWriter implements AutoCloseable {
    /** Bytes read back from a file's end to find its last record; a record is far smaller. */
    private static final int TAIL_BYTES = 64 * 1024;

    private final Path dir;
    private final boolean forceEach;
    private String lastHash = Chain.GENESIS;
    private @Nullable LocalDate day;
    private @Nullable FileChannel channel;
    private @Nullable Object fileKey;
    private boolean dirty;

    ChainWriter(Path dir, boolean forceEach) {
        this.dir = dir;
        this.forceEach = forceEach;
    }

    /** Reads the last complete record's hash from the newest day file that has one; cuts torn tails. */
    void resume() throws IOException {
        Files.createDirectories(dir);
        List<Path> files = DayFiles.list(dir);
        for (int i = files.size() - 1; i >= 0; i--) {
            cutTornTail(files.get(i));
            Optional<String> last = lastHash(files.get(i));
            if (last.isPresent()) {
                lastHash = last.get();
                day = DayFiles.dayOf(files.get(i)).orElseThrow();
                return;
            }
        }
    }

    /** Chains and appends {@code entry}; forces it to disk when every record is forced. */
    void write(AuditEntry entry) throws IOException {
        LocalDate recordDay = entry.ts().atOffset(ZoneOffset.UTC).toLocalDate();
        LocalDate target = day == null || recordDay.isAfter(day) ? recordDay : day;
        FileChannel out = channelFor(target);
        byte[] canonical = Chain.canonical(entry, lastHash);
        String hash = Chain.hash(lastHash, canonical);
        ByteBuffer bytes = ByteBuffer.wrap(Chain.line(canonical, hash));
        try {
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            dirty = true;
            if (forceEach) {
                force();
            }
        } catch (IOException e) {
            closeQuietly();
            throw e;
        }
        lastHash = hash;
    }

    /**
     * Drops the open file if its path no longer leads to it (deleted, replaced, its directory gone): writes to an
     * unlinked file would succeed and vanish. Called once per batch of records: one {@code stat}.
     */
    void checkFile() {
        if (channel != null && day != null && !fileKey(DayFiles.of(dir, day)).equals(Optional.ofNullable(fileKey))) {
            closeQuietly();
        }
    }

    /** Whether a day file is open. */
    boolean isOpen() {
        return channel != null;
    }

    private static Optional<Object> fileKey(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return attributes.isRegularFile() ? Optional.ofNullable(attributes.fileKey()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Whether records were written since the last {@link #force}. */
    boolean dirty() {
        return dirty;
    }

    /** Forces what was written to the disk. */
    void force() throws IOException {
        if (channel != null && dirty) {
            try {
                channel.force(false);
            } catch (IOException e) {
                closeQuietly();
                throw e;
            }
        }
        dirty = false;
    }

    /** Opens the current day's file if none is open: whether the directory is writable again. */
    void probe(LocalDate today) throws IOException {
        channelFor(day == null || today.isAfter(day) ? today : day);
    }

    private FileChannel channelFor(LocalDate target) throws IOException {
        if (channel != null && target.equals(day)) {
            return channel;
        }
        if (channel != null) {
            force();
            closeQuietly();
        }
        Files.createDirectories(dir);
        Path file = DayFiles.of(dir, target);
        if (Files.exists(file)) {
            cutTornTail(file);
        }
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        day = target;
        fileKey = fileKey(file).orElse(null);
        return channel;
    }

    /** Cuts {@code file} after its last newline: what follows it is a record a crash did not finish. */
    private static void cutTornTail(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long keep = 0;
            for (long end = size; end > 0 && keep == 0; end -= TAIL_BYTES) {
                long start = Math.max(0, end - TAIL_BYTES);
                ByteBuffer buf = ByteBuffer.allocate((int) (end - start));
                ch.read(buf, start);
                for (int i = buf.position() - 1; i >= 0; i--) {
                    if (buf.get(i) == '\n') {
                        keep = start + i + 1;
                        break;
                    }
                }
                if (start == 0) {
                    break;
                }
            }
            if (keep < size) {
                ch.truncate(keep);
                ch.force(true);
            }
        }
    }

    /** The hash of the last line of {@code file} (which ends with a newline or is empty), if it has one. */
    private static Optional<String> lastHash(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long start = Math.max(0, ch.size() - TAIL_BYTES);
            ByteBuffer buf = ByteBuffer.allocate((int) (ch.size() - start));
            ch.read(buf, start);
            String tail = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
            String[] lines = tail.split("\n");
            for (int i = lines.length - 1; i >= 0; i--) {
                Optional<String> hash = Chain.statedHash(lines[i]);
                if (hash.isPresent()) {
                    return hash;
                }
            }
            return Optional.empty();
        }
    }

    private void closeQuietly() {
        FileChannel open = channel;
        channel = null;
        if (open != null) {
            try {
                open.close();
            } catch (IOException e) {
                // The channel is dropped either way; the next write reopens the file.
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            force();
        } finally {
            closeQuietly();
        }
    }
}
