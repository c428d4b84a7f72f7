package dev.switchboard.broker.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The durable outbox: one small JSON file per message not yet delivered ({@code <id>.json}). A message is written
 * to {@code <id>.json.tmp}, fsynced, renamed into place and the directory fsynced before its first attempt, and
 * deleted when it is delivered or given up, so a crash at any point leaves either no file (never attempted) or the
 * whole message (attempted again after the restart: at least once). Used only on the webhook thread.
 */
final class Outbox {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SUFFIX = ".json";
    private static final String TMP = ".tmp";

    private final Path dir;

    Outbox(Path dir) {
        this.dir = dir;
    }

    /** The directory. */
    Path dir() {
        return dir;
    }

    /** Writes {@code message} durably. */
    void write(Message message) throws IOException {
        Files.createDirectories(dir);
        ObjectNode node = JSON.createObjectNode();
        node.put("id", message.id());
        node.put("endpoint", message.endpoint());
        node.put("type", message.type());
        node.put("created", message.created().toString());
        node.put("body", new String(message.body(), StandardCharsets.UTF_8));
        Path tmp = dir.resolve(message.id() + SUFFIX + TMP);
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer bytes = ByteBuffer.wrap(JSON.writeValueAsBytes(node));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(true);
        }
        Files.move(tmp, file(message.id()), StandardCopyOption.ATOMIC_MOVE);
        syncDir();
    }

    /** Deletes {@code id}'s file, if any. */
    void delete(String id) throws IOException {
        Files.deleteIfExists(file(id));
    }

    /**
     * The messages left by an earlier run, oldest first; half-written {@code .tmp} files (a crash before the rename:
     * never attempted) are removed; unreadable files are returned in {@code unreadable} and left alone.
     */
    List<Message> load(List<Path> unreadable) throws IOException {
        List<Message> messages = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return messages;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.endsWith(SUFFIX + TMP)) {
                    Files.deleteIfExists(file);
                } else if (name.endsWith(SUFFIX)) {
                    try {
                        messages.add(read(file));
                    } catch (IOException | RuntimeException e) {
                        unreadable.add(file);
                    }
                }
            }
        }
        messages.sort(java.util.Comparator.comparing(Message::created));
        return messages;
    }

    private static Message read(Path file) throws IOException {
        JsonNode node = JSON.readTree(file.toFile());
        return new Message(text(node, "id"), text(node, "endpoint"), text(node, "type"),
                Instant.parse(text(node, "created")), text(node, "body").getBytes(StandardCharsets.UTF_8));
    }

    private static String text(JsonNode node, String field) throws IOException {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IOException("no " + field);
        }
        return value.asText();
    }

    private Path file(String id) {
        return dir.resolve(id + SUFFIX);
    }

    private void syncDir() throws IOException {
        // The rename is durable only once the directory entry is (Linux; other systems may refuse, harmlessly).
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Not every file system lets a directory be opened; the file itself was fsynced.
        }
    }
}
