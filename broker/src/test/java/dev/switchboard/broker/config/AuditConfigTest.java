package dev.switchboard.broker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Issue 14, the {@code audit} section: its defaults and its errors, each naming the key. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AuditConfigTest {
    private final ConfigLoader loader = new ConfigLoader(name -> null);

    @Test
    void without_an_audit_section_there_is_no_audit_log() throws Exception {
        assertEquals(Optional.empty(), loader.parse("tenants: {t: {keys: [k]}}").audit());
    }

    @Test
    void an_empty_audit_section_writes_to_dot_audit_with_batch_fsync_failing_closed() throws Exception {
        Audit audit = loader.parse("audit: {}").audit().orElseThrow();
        assertEquals(Path.of("./audit"), audit.dir());
        assertEquals(Audit.Fsync.BATCH, audit.fsync());
        assertEquals(Audit.OnFailure.CLOSED, audit.onFailure());
    }

    @Test
    void every_key_is_bound() throws Exception {
        Audit audit = loader.parse("audit: {dir: /var/log/sb, fsync: every, on_failure: open}").audit().orElseThrow();
        assertEquals(new Audit(Path.of("/var/log/sb"), Audit.Fsync.EVERY, Audit.OnFailure.OPEN), audit);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "audit: {fsync: sometimes}|audit.fsync must be one of [every, batch] but was 'sometimes'",
        "audit: {on_failure: maybe}|audit.on_failure must be one of [closed, open] but was 'maybe'",
        "audit: {dir: ''}|audit.dir must not be empty",
        "audit: {directory: /tmp}|audit.directory is not a known key",
    })
    void audit_settings_are_validated_with_the_key_named(String yaml, String expected) {
        ConfigException error = assertThrows(ConfigException.class, () -> loader.parse(yaml + "\n"));
        assertTrue(error.getMessage().startsWith(expected), error.getMessage());
    }
}
