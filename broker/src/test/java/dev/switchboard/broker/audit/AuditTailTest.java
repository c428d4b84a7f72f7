package dev.switchboard.broker.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading an audit log's newest records back ({@code GET /admin/audit}): files written by the real chain writer
 * over two days, newest first across files, the limit, the tenant filter, an unfinished last line skipped, lines
 * longer than a read chunk, and the bound on bytes read.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AuditTailTest {
    private static final Instant DAY_ONE = Instant.parse("2026-12-03T23:59:00Z");
    private static final Instant DAY_TWO = Instant.parse("2026-12-04T00:01:00Z");

    @TempDir
    Path dir;

    /** Writes {@code count} records per day, alternating tenants acme and globex, with {@code n} in each. */
    private void write(int count, String padding) throws IOException {
        try (ChainWriter writer = new ChainWriter(dir, false)) {
            writer.resume();
            int n = 0;
            for (Instant day : List.of(DAY_ONE, DAY_TWO)) {
                for (int i = 0; i < count; i++, n++) {
                    writer.write(AuditEntry.at(day.plusMillis(i), "session opened").decision("allow", "")
                            .who(n % 2 == 0 ? "acme" : "globex", "k").session("sess_" + n).with("n", n)
                            .with("padding", padding).build());
                }
            }
        }
    }

    private static List<Integer> numbers(List<JsonNode> records) {
        return records.stream().map(r -> r.path("n").asInt()).toList();
    }

    @Test
    void the_newest_records_come_first_across_day_files_and_the_limit_cuts_them() throws Exception {
        write(5, "");
        assertEquals(2, DayFiles.list(dir).size());
        List<JsonNode> all = new AuditTail(dir).newest(100, any -> true);
        assertEquals(List.of(9, 8, 7, 6, 5, 4, 3, 2, 1, 0), numbers(all));
        for (int i = 0; i + 1 < all.size(); i++) {
            assertEquals(all.get(i + 1).path("hash").asText(), all.get(i).path("prev_hash").asText());
        }
        assertEquals(List.of(9, 8, 7), numbers(new AuditTail(dir).newest(3, any -> true)));
        assertEquals(List.of(9, 8, 7, 6, 5, 4), numbers(new AuditTail(dir).newest(6, any -> true)));
    }

    @Test
    void the_tenant_filter_applies_before_the_limit() throws Exception {
        write(5, "");
        assertEquals(List.of(9, 7, 5), numbers(new AuditTail(dir).newest(3, "globex"::equals)));
        assertEquals(List.of(8, 6, 4, 2, 0), numbers(new AuditTail(dir).newest(50, "acme"::equals)));
        assertEquals(List.of(), new AuditTail(dir).newest(50, "initech"::equals));
    }

    @Test
    void an_unfinished_last_line_and_lines_that_are_not_records_are_skipped() throws Exception {
        write(2, "");
        Path newest = DayFiles.list(dir).get(1);
        String complete = Files.readString(newest);
        Files.writeString(newest, complete.replaceFirst("\n", "\nnot json\n\n[1,2]\n")
                + "{\"event\":\"being written\",\"tenant\":\"acme\",\"n\":99}", StandardOpenOption.TRUNCATE_EXISTING);
        // Without its newline even a whole object is a record still being written: not shown.
        assertEquals(List.of(3, 2, 1, 0), numbers(new AuditTail(dir).newest(50, any -> true)));
    }

    @Test
    void records_longer_than_a_read_chunk_are_read_whole() throws Exception {
        write(3, "x".repeat(150_000));
        List<JsonNode> records = new AuditTail(dir).newest(50, any -> true);
        assertEquals(List.of(5, 4, 3, 2, 1, 0), numbers(records));
        assertTrue(records.stream().allMatch(r -> r.path("padding").asText().length() == 150_000));
    }

    @Test
    void no_more_bytes_than_the_bound_are_read() throws Exception {
        write(50, "y".repeat(900));
        long newestFile = Files.size(DayFiles.list(dir).get(1));
        // Less than the newest file: only its newest records, never a line cut at the bound.
        List<JsonNode> records = new AuditTail(dir, newestFile / 2).newest(500, any -> true);
        assertTrue(records.size() >= 20 && records.size() <= 26, () -> records.size() + " records");
        assertEquals(99, records.get(0).path("n").asInt());
        assertEquals(100, new AuditTail(dir).newest(500, any -> true).size());
    }

    @Test
    void a_missing_or_empty_directory_has_no_records() throws Exception {
        assertEquals(List.of(), new AuditTail(dir.resolve("absent")).newest(50, any -> true));
        assertEquals(List.of(), new AuditTail(dir).newest(50, any -> true));
        Files.writeString(dir.resolve("audit-2026-12-05.jsonl"), "", StandardCharsets.UTF_8);
        write(1, "");
        assertEquals(List.of(1, 0), numbers(new AuditTail(dir).newest(50, any -> true)));
    }
}
