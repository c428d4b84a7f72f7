package dev.switchboard.broker.abuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The error codes and close codes that {@code docs/protocol.md} documents, read from its "Errors" and "Close codes"
 * tables, so the suite holds the broker to its documentation rather than to a copy of it.
 *
 * @param errorCodes the {@code error.code} values of the "Errors" table
 * @param closeCodes the WebSocket close codes of the "Close codes" table
 */
record Documented(Set<String> errorCodes, Set<Integer> closeCodes) {
    private static final Pattern ERROR_ROW = Pattern.compile("^\\| `([a-z_]+)` \\|");
    private static final Pattern CLOSE_ROW = Pattern.compile("^\\| (\\d{4}) \\| `[a-z_]+`");
    private static final int MAX_LEVELS_UP = 5;

    Documented {
        errorCodes = Set.copyOf(errorCodes);
        closeCodes = Set.copyOf(closeCodes);
    }

    /** Reads {@code docs/protocol.md} from the repository (found from the working directory upwards). */
    static Documented load() throws IOException {
        List<String> lines = Files.readAllLines(protocolDoc());
        Set<String> errors = new LinkedHashSet<>();
        Set<Integer> closes = new LinkedHashSet<>();
        String section = "";
        for (String line : lines) {
            if (line.startsWith("## ")) {
                section = line.substring(3).trim();
            } else if (section.equals("Errors")) {
                Matcher m = ERROR_ROW.matcher(line);
                if (m.find()) {
                    errors.add(m.group(1));
                }
            } else if (section.equals("Close codes")) {
                Matcher m = CLOSE_ROW.matcher(line);
                if (m.find()) {
                    closes.add(Integer.parseInt(m.group(1)));
                }
            }
        }
        if (errors.size() < 5 || closes.size() < 5) {
            throw new IllegalStateException("docs/protocol.md: could not read the Errors and Close codes tables (found "
                    + errors + " and " + closes + ")");
        }
        return new Documented(errors, closes);
    }

    private static Path protocolDoc() {
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < MAX_LEVELS_UP && dir != null; i++, dir = dir.getParent()) {
            Path candidate = dir.resolve("docs").resolve("protocol.md");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("docs/protocol.md not found above " + Path.of("").toAbsolutePath());
    }
}
