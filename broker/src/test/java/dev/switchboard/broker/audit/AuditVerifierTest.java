package dev.switchboard.broker.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, {@code audit verify} on a log a real broker wrote: intact, then with a record edited, deleted,
 * inserted or two reordered (exit 1 naming file and line), with a torn final line (exit 0 and a warning), and
 * through the real command line ({@code Main} in its own JVM).
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AuditVerifierTest {
    private static final String FILE = "audit-2026-12-04.jsonl";
    private static final InstantSource NOON = InstantSource.fixed(Instant.parse("2026-12-04T12:00:00Z"));

    @TempDir
    static Path tmp;
    private static Path original;

    @BeforeAll
    static void writeALog() throws Exception {
        original = tmp.resolve("original");
        try (AuditBroker broker = AuditBroker.start(AuditBroker.yaml(original, "closed",
                "  acme: {keys: [{key: sk-acme, id: acme-key}], models: [\"*\"]}\n"), NOON)) {
            for (int i = 0; i < 3; i++) {
                assertEquals(200, broker.post("sk-acme", AuditBroker.chat("hello " + i)).statusCode());
            }
        }
        assertTrue(AuditBroker.lines(original).size() >= 8, "records written");
    }

    @Test
    void an_intact_log_verifies_with_exit_0_and_its_record_count() throws Exception {
        AuditVerifier.Result result = AuditVerifier.run(List.of("verify", original.toString()));
        assertEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains(AuditBroker.lines(original).size() + " records in 1 file: chain intact"),
                result.output());
    }

    @Test
    void an_edited_record_is_named_by_file_and_line() throws Exception {
        assertBrokenAt(3, lines -> {
            lines.set(2, lines.get(2).replace("\"tenant\":\"acme\"", "\"tenant\":\"evil\""));
            return lines;
        }, "the record was edited");
    }

    @Test
    void a_deleted_record_is_named_at_the_line_that_follows_it() throws Exception {
        assertBrokenAt(4, lines -> {
            lines.remove(3);
            return lines;
        }, "deleted, inserted or reordered");
    }

    @Test
    void an_inserted_record_is_named_by_its_line() throws Exception {
        assertBrokenAt(3, lines -> {
            lines.add(2, lines.get(0));
            return lines;
        }, "deleted, inserted or reordered");
    }

    @Test
    void two_reordered_records_are_named_at_the_first_of_them() throws Exception {
        assertBrokenAt(5, lines -> {
            String fifth = lines.get(4);
            lines.set(4, lines.get(5));
            lines.set(5, fifth);
            return lines;
        }, "deleted, inserted or reordered");
    }

    @Test
    void a_torn_final_line_is_reported_as_torn_not_as_tampering_and_a_restart_cuts_it() throws Exception {
        Path dir = copy("torn", lines -> lines);
        Files.writeString(dir.resolve(FILE), "{\"ts\":\"2026-12-04T12:00:01Z\",\"event\":\"resp",
                StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        AuditVerifier.Result torn = AuditVerifier.verify(dir);
        assertEquals(0, torn.exitCode(), torn.output());
        int complete = AuditBroker.lines(dir).size();
        assertTrue(torn.output().contains("torn final line at " + FILE + " line " + (complete + 1)), torn.output());
        assertTrue(torn.output().contains(complete + " records"), torn.output());

        try (AuditBroker broker = AuditBroker.start(AuditBroker.yaml(dir, "closed",
                "  acme: {keys: [{key: sk-acme, id: acme-key}], models: [\"*\"]}\n"), NOON)) {
            assertEquals(200, broker.post("sk-acme", AuditBroker.chat("after the crash")).statusCode());
        }
        AuditVerifier.Result resumed = AuditVerifier.verify(dir);
        assertEquals(0, resumed.exitCode(), resumed.output());
        assertFalse(resumed.output().contains("torn"), resumed.output());
    }

    @Test
    void bad_usage_exits_2() {
        assertEquals(2, AuditVerifier.run(List.of("verify")).exitCode());
        assertEquals(2, AuditVerifier.run(List.of("check", original.toString())).exitCode());
        assertEquals(2, AuditVerifier.run(List.of("verify", tmp.resolve("missing").toString())).exitCode());
    }

    @Test
    void the_command_line_prints_the_count_and_exits_0_then_1_after_an_edit() throws Exception {
        Run intact = main("verify", original.toString());
        assertEquals(0, intact.exit(), intact.output());
        assertTrue(intact.output().contains("chain intact"), intact.output());
        Path edited = copy("cli-edited", lines -> {
            lines.set(1, lines.get(1).replace("\"decision\":\"", "\"decision\":\"x"));
            return lines;
        });
        Run broken = main("verify", edited.toString());
        assertEquals(1, broken.exit(), broken.output());
        assertTrue(broken.output().contains(FILE + " line 2"), broken.output());
        assertEquals(2, main("verify").exit());
    }

    /** A finished command line run. */
    private record Run(int exit, String output) {
    }

    private static Run main(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), "dev.switchboard.broker.Main", "audit"));
        command.addAll(List.of(args));
        Path out = tmp.resolve("cli-" + System.nanoTime() + ".out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("audit verify did not finish");
        }
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    private static void assertBrokenAt(int line, UnaryOperator<List<String>> tamper, String why) throws Exception {
        Path dir = copy("tampered-" + System.nanoTime(), tamper);
        AuditVerifier.Result result = AuditVerifier.verify(dir);
        assertEquals(1, result.exitCode(), result.output());
        assertTrue(result.output().contains("chain broken at " + FILE + " line " + line + ":"), result.output());
        assertTrue(result.output().contains(why), result.output());
    }

    /** A copy of the original log with its one file's lines changed by {@code tamper}. */
    private static Path copy(String name, UnaryOperator<List<String>> tamper) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        List<String> lines = tamper.apply(new ArrayList<>(Files.readAllLines(original.resolve(FILE))));
        Files.writeString(dir.resolve(FILE), String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return dir;
    }
}
