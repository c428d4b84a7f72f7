package dev.switchboard.broker.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * {@code audit verify DIR}: checks the hash chain of every day file in {@code DIR}, oldest first, from
 * {@link Chain#GENESIS}. Exit codes: {@value #INTACT} for an intact chain (also when the newest file ends in a torn
 * line: a write a crash cut short, reported as a warning and not counted), {@value #BROKEN} naming the first record
 * (file and line) that was edited, or follows a deleted, inserted or reordered one, {@value #USAGE} for bad usage
 * or a directory that cannot be read. Single-threaded; reads the files whole, one at a time.
 */
public final class AuditVerifier {
    /** The chain is intact. */
    public static final int INTACT = 0;
    /** A record was edited, deleted, inserted or reordered. */
    public static final int BROKEN = 1;
    /** Bad usage, or the directory cannot be read. */
    public static final int USAGE = 2;
    private static final String USAGE_TEXT = "usage: java -jar switchboard.jar audit verify DIR";
    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditVerifier() {
    }

    /**
     * What the verifier says and its exit code.
     *
     * @param output the text for standard output (or standard error when {@code exitCode} is not 0)
     */
    public record Result(int exitCode, String output) {
    }

    /** Runs the {@code audit} command with its arguments ({@code verify DIR}). */
    public static Result run(List<String> args) {
        if (args.size() != 2 || !args.get(0).equals("verify")) {
            return new Result(USAGE, USAGE_TEXT + "\n");
        }
        Path dir = Path.of(args.get(1));
        if (!Files.isDirectory(dir)) {
            return new Result(USAGE, "audit verify: " + dir + " is not a directory\n" + USAGE_TEXT + "\n");
        }
        return verify(dir);
    }

    /** Verifies the chain of the day files in {@code dir}. */
    public static Result verify(Path dir) {
        List<Path> files;
        try {
            files = DayFiles.list(dir);
        } catch (IOException e) {
            return new Result(USAGE, "audit verify: cannot list " + dir + ": " + e.getMessage() + "\n");
        }
        String prev = Chain.GENESIS;
        long count = 0;
        StringBuilder out = new StringBuilder();
        for (int f = 0; f < files.size(); f++) {
            Path file = files.get(f);
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return new Result(USAGE, "audit verify: cannot read " + file + ": " + e.getMessage() + "\n");
            }
            String[] lines = text.split("\n", -1);
            // split leaves "" after a final newline; anything else there is a line without its newline.
            int complete = lines.length - 1;
            boolean newest = f == files.size() - 1;
            for (int i = 0; i < lines.length; i++) {
                boolean unterminated = i == complete;
                if (unterminated && lines[i].isEmpty()) {
                    break;
                }
                boolean last = i == complete || i == complete - 1 && lines[complete].isEmpty();
                Optional<String> problem = unterminated ? Optional.of("the line does not end with a newline")
                        : problem(lines[i], prev);
                if (problem.isPresent() && newest && last && (unterminated || !validJson(lines[i]))) {
                    out.append("audit verify: warning: torn final line at ").append(where(file, i))
                            .append(" (a write cut short by a crash, not tampering; not counted)\n");
                    break;
                }
                if (problem.isPresent()) {
                    return new Result(BROKEN, out + "audit verify: chain broken at " + where(file, i) + ": "
                            + problem.get() + " (" + count + (count == 1 ? " record" : " records")
                            + " before it verified)\n");
                }
                prev = Chain.statedHash(lines[i]).orElseThrow();
                count++;
            }
        }
        out.append("audit verify: ").append(count).append(" records in ").append(files.size())
                .append(files.size() == 1 ? " file" : " files").append(": chain intact\n");
        return new Result(INTACT, out.toString());
    }

    /** Why the complete line {@code line} does not follow the record whose hash is {@code prev}, if it does not. */
    private static Optional<String> problem(String line, String prev) {
        JsonNode record;
        try {
            record = JSON.readTree(line);
        } catch (IOException e) {
            return Optional.of("not a valid JSON record");
        }
        Optional<String> stated = Chain.statedHash(line);
        if (record == null || !record.isObject() || stated.isEmpty()) {
            return Optional.of("not an audit record (no hash as its last field)");
        }
        if (!prev.equals(record.path("prev_hash").asText())) {
            return Optional.of("prev_hash does not match the previous record's hash (a record was deleted, "
                    + "inserted or reordered here)");
        }
        if (!stated.get().equals(Chain.hash(prev, Chain.canonicalOf(line)))) {
            return Optional.of("hash does not match the record's content (the record was edited)");
        }
        return Optional.empty();
    }

    private static boolean validJson(String line) {
        try {
            return JSON.readTree(line) != null;
        } catch (IOException e) {
            return false;
        }
    }

    private static String where(Path file, int index) {
        return file.getFileName() + " line " + (index + 1);
    }
}
