package dev.switchboard.broker.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.config.Audit;
import dev.switchboard.broker.metrics.OperatorLog;
import dev.switchboard.broker.notice.Notice;
import dev.switchboard.broker.notice.Notices;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, the notices the audit log records — budget threshold and exhaustion, a policy match (rule and action,
 * never the matched text), a circuit change — written by a real {@link AuditLog} into a temporary directory.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AuditNoticesTest {
    private static final Instant AT = Instant.parse("2026-12-04T12:00:00Z");

    @TempDir
    Path dir;

    @Test
    void budget_policy_and_circuit_notices_become_chained_records() throws Exception {
        try (AuditLog log = AuditLog.open(new Audit(dir, Audit.Fsync.EVERY, Audit.OnFailure.OPEN),
                InstantSource.fixed(AT), new SimpleMeterRegistry(),
                new OperatorLog(Duration.ofSeconds(10), System::nanoTime, Runnable::run))) {
            Notices notices = log.notices();
            notices.publish(new Notice.BudgetThreshold(AT, "acme", 0, "day", "2026-12-04", "usd", 0.8, 8.1, 10));
            notices.publish(new Notice.BudgetExhausted(AT, "acme", 1, "month", "2026-12", "tokens", 1000, 1000));
            notices.publish(new Notice.PolicyMatched(AT, "acme", "acme-key", "sess_1", "resp_1", "strict", "v42",
                    "no-cards", "redact", "output"));
            notices.publish(new Notice.CircuitChanged(AT, "openai", "closed", "open", "upstream_timeout"));
        }
        JsonNode threshold = only("budget threshold");
        assertEquals(0.8, threshold.path("threshold").asDouble());
        assertEquals("usd", threshold.path("unit").asText());
        JsonNode exhausted = only("budget exhausted");
        assertEquals("deny", exhausted.path("decision").asText());
        assertEquals("2026-12", exhausted.path("period_id").asText());
        JsonNode policy = only("policy matched");
        assertEquals("redact", policy.path("decision").asText());
        assertEquals("no-cards", policy.path("rule").asText());
        assertEquals("v42", policy.path("policy_version").asText());
        assertEquals("resp_1", policy.path("response_id").asText());
        assertFalse(policy.has("text"), policy::toString);
        JsonNode circuit = only("circuit changed");
        assertEquals("open", circuit.path("to").asText());
        assertEquals("upstream_timeout", circuit.path("reason").asText());
        assertEquals(0, AuditVerifier.verify(dir).exitCode(), AuditVerifier.verify(dir).output());
    }

    private JsonNode only(String event) throws Exception {
        var found = AuditBroker.records(dir, event);
        assertEquals(1, found.size(), () -> event + ": " + found);
        return found.get(0);
    }
}
