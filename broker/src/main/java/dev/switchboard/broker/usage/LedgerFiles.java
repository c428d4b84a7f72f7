package dev.switchboard.broker.usage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The ledger on disk: one JSON file per UTC day, {@code usage.dir/ledger/YYYY-MM-DD.json}, each written whole
 * through a temporary file and an atomic rename, so a crash leaves either the previous or the new version of a day.
 * Only the ledger's writer thread calls {@link #write} and {@link #deleteBefore}; {@link #load} runs once, before
 * anything else.
 *
 * <p>A file that cannot be read or does not hold what {@link #write} writes stops the broker's start with an
 * {@link IOException} naming the file, and the file is left as it is: starting over an empty ledger would overwrite
 * that day's history at the first flush.
 */
final class LedgerFiles {
    /** The ledger's directory inside {@code usage.dir}. */
    static final String DIR = "ledger";
    private static final int VERSION = 1;
    private static final Pattern NAME = Pattern.compile("\\d{4}-\\d{2}-\\d{2}\\.json");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] COUNTS = {"requests", "input_tokens", "output_tokens", "cached_tokens",
        "audio_input_tokens", "audio_output_tokens", "cost_nano_usd", "refusals"};

    private final Path dir;

    LedgerFiles(Path usageDir) {
        this.dir = usageDir.resolve(DIR);
    }

    /** Where the ledger lives. */
    Path dir() {
        return dir;
    }

    /** The rows of every day file from {@code firstDay} on (older files are left for the pruning to delete). */
    Map<Bucket, Tally> load(int firstDay) throws IOException {
        Map<Bucket, Tally> rows = new HashMap<>();
        if (!Files.isDirectory(dir)) {
            return rows;
        }
        for (Path file : dayFiles()) {
            int day = dayOf(file);
            if (day >= firstDay) {
                readDay(file, day, rows);
            }
        }
        return rows;
    }

    private void readDay(Path file, int day, Map<Bucket, Tally> rows) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw unreadable(file, "not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw unreadable(file, String.valueOf(e.getMessage()));
        }
        if (root == null || root.path("version").asInt() != VERSION || !root.path("rows").isArray()) {
            throw unreadable(file, "not a version " + VERSION + " ledger file (\"version\": " + VERSION
                    + " and a \"rows\" array)");
        }
        int index = 0;
        for (JsonNode row : root.path("rows")) {
            Bucket bucket = new Bucket(text(file, row, index, "tenant"), day, text(file, row, index, "model"),
                    text(file, row, index, "key"));
            long[] counts = new long[COUNTS.length];
            for (int i = 0; i < COUNTS.length; i++) {
                JsonNode value = row.path(COUNTS[i]);
                if (!value.canConvertToLong() || !value.isIntegralNumber() || value.asLong() < 0) {
                    throw unreadable(file, "rows[" + index + "]." + COUNTS[i] + " must be an integer >= 0");
                }
                counts[i] = value.asLong();
            }
            rows.merge(bucket, new Tally(counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], counts[6],
                    counts[7]), Tally::plus);
            index++;
        }
    }

    private static String text(Path file, JsonNode row, int index, String field) throws IOException {
        JsonNode value = row.path(field);
        if (!value.isTextual()) {
            throw unreadable(file, "rows[" + index + "]." + field + " must be a string");
        }
        return value.asText();
    }

    private static IOException unreadable(Path file, String why) {
        return new IOException("the usage ledger file " + file + " cannot be read (" + why + "); it was left as it "
                + "is: repair or move it, then start again (docs/usage.md)");
    }

    /** Writes day {@code day}'s rows, replacing its file whole. */
    void write(int day, Map<Bucket, Tally> rows) throws IOException {
        ObjectNode root = JSON.createObjectNode().put("version", VERSION).put("day", LocalDate.ofEpochDay(day)
                .toString());
        ArrayNode array = root.putArray("rows");
        rows.entrySet().stream().sorted(Map.Entry.comparingByKey(LedgerFiles::compare)).forEach(e -> {
            ObjectNode row = array.addObject().put("tenant", e.getKey().tenant()).put("model", e.getKey().model())
                    .put("key", e.getKey().key());
            Tally t = e.getValue();
            long[] counts = {t.requests(), t.inputTokens(), t.outputTokens(), t.cachedTokens(), t.audioInputTokens(),
                t.audioOutputTokens(), t.costNanoUsd(), t.refusals()};
            for (int i = 0; i < COUNTS.length; i++) {
                row.put(COUNTS[i], counts[i]);
            }
        });
        Files.createDirectories(dir);
        Path file = dir.resolve(LocalDate.ofEpochDay(day) + ".json");
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), root);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static int compare(Bucket a, Bucket b) {
        int c = a.tenant().compareTo(b.tenant());
        if (c == 0) {
            c = a.model().compareTo(b.model());
        }
        return c == 0 ? a.key().compareTo(b.key()) : c;
    }

    /** Deletes the day files before {@code firstDay} (past the retention). */
    void deleteBefore(int firstDay) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        for (Path file : dayFiles()) {
            if (dayOf(file) < firstDay) {
                Files.deleteIfExists(file);
            }
        }
    }

    private List<Path> dayFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> listing = Files.list(dir)) {
            listing.filter(f -> NAME.matcher(f.getFileName().toString()).matches()).forEach(files::add);
        }
        return files;
    }

    private static int dayOf(Path file) throws IOException {
        String name = file.getFileName().toString();
        try {
            return (int) LocalDate.parse(name.substring(0, name.length() - ".json".length())).toEpochDay();
        } catch (DateTimeParseException e) {
            throw unreadable(file, "its name is not a date");
        }
    }
}
