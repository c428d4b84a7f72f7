package dev.switchboard.broker.audit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.config.ConfigLoader;
import dev.switchboard.broker.reload.Reload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live reload leaves a {@code config reloaded} record naming both versions and who asked; a refused resume leaves a
 * {@code resume refused} record.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AuditReloadTest {
    @TempDir
    Path tmp;

    @Test
    void a_reload_is_recorded_with_the_new_and_previous_versions_and_the_caller() throws Exception {
        Path dir = tmp.resolve("audit");
        Path file = tmp.resolve("switchboard.yaml");
        Files.writeString(file, AuditBroker.yaml(dir, "closed", "  acme: {keys: [k1], models: [\"*\"]}\n"));
        try (AuditBroker broker = AuditBroker.start(Files.readString(file),
                InstantSource.fixed(Instant.parse("2026-12-04T12:00:00Z")))) {
            ConfigLoader loader = new ConfigLoader(name -> null);
            broker.broker.configSource(() -> loader.load(file).withListen(
                    new dev.switchboard.broker.config.BrokerConfig.Listen("127.0.0.1", 0)));
            String before = broker.broker.configVersion();
            Files.writeString(file, AuditBroker.yaml(dir, "closed", "  acme: {keys: [k1, k2], models: [\"*\"]}\n"));

            Reload.Applied applied = assertInstanceOf(Reload.Applied.class, broker.broker.reload(false, "admin:ops"));

            await().atMost(Duration.ofSeconds(10)).until(() -> !AuditBroker.records(dir, "config reloaded").isEmpty());
            List<JsonNode> records = AuditBroker.records(dir, "config reloaded");
            assertEquals(1, records.size(), records::toString);
            JsonNode record = records.get(0);
            assertEquals(applied.version(), record.path("config_version").asText(), record::toString);
            assertEquals(before, record.path("previous_version").asText(), record::toString);
            assertEquals("admin:ops", record.path("caller").asText(), record::toString);
        }
    }

    @Test
    void a_refused_resume_is_recorded_with_the_key_and_the_error_code() throws Exception {
        Path dir = tmp.resolve("audit");
        try (AuditBroker broker = AuditBroker.start(AuditBroker.yaml(dir, "closed",
                "  acme: {keys: [k1], models: [\"*\"]}\n"), InstantSource.fixed(Instant.parse("2026-12-04T12:00:00Z")));
             RealtimeClient refused = broker.connectTo(
                     "/v1/realtime?resume_token=rt1.not-a-token&last_seq=0", "k1")) {
            assertEquals(4410, refused.awaitClose());
            await().atMost(Duration.ofSeconds(10)).until(() -> !AuditBroker.records(dir, "resume refused").isEmpty());
            JsonNode record = AuditBroker.records(dir, "resume refused").get(0);
            assertEquals("deny", record.path("decision").asText(), record::toString);
            assertEquals("resume_token_invalid", record.path("reason").asText(), record::toString);
            assertEquals("acme", record.path("tenant").asText(), record::toString);
        }
    }
}
