package dev.switchboard.broker.audit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The names of the daily files, {@code audit-YYYY-MM-DD.jsonl} (the UTC day of their records), and listing them
 * in chain order (by day). Stateless.
 */
final class DayFiles {
    private static final Pattern NAME = Pattern.compile("audit-(\\d{4}-\\d{2}-\\d{2})\\.jsonl");

    private DayFiles() {
    }

    /** The file of {@code day} in {@code dir}. */
    static Path of(Path dir, LocalDate day) {
        return dir.resolve("audit-" + day + ".jsonl");
    }

    /** The day a file is named for, if it is a day file. */
    static Optional<LocalDate> dayOf(Path file) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDate.parse(m.group(1)));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** The day files in {@code dir}, oldest first; other files are ignored. */
    static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> dayOf(f).isPresent() && Files.isRegularFile(f)).sorted().toList();
        }
    }
}
