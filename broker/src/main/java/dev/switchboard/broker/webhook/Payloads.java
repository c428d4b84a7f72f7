package dev.switchboard.broker.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.broker.notice.Notice;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a {@link Notice} into a webhook event: its type, the tenant it belongs to (none for provider events) and
 * the JSON body {@code {"type", "timestamp", "data"}}. Figures and names only, never prompt, answer or matched text.
 * Stateless; any thread.
 */
final class Payloads {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Payloads() {
    }

    /**
     * An event to announce.
     *
     * @param type the event type ({@code budget.threshold} …)
     * @param tenant the tenant it is about; empty for provider events, which ignore endpoints' {@code tenants}
     * @param body the JSON payload, UTF-8
     */
    record Event(String type, Optional<String> tenant, byte[] body) {
    }

    /** The event {@code notice} is announced as; empty when it is not announced (half-open, webhook notices). */
    static Optional<Event> of(Notice notice) {
        Map<String, Object> data = new LinkedHashMap<>();
        String type;
        Optional<String> tenant;
        if (notice instanceof Notice.BudgetThreshold t) {
            type = "budget.threshold";
            tenant = Optional.of(t.tenant());
            budget(data, t.tenant(), t.budget(), t.period(), t.periodId(), t.unit());
            data.put("threshold", t.threshold());
            data.put("spent", t.spent());
            data.put("limit", t.limit());
        } else if (notice instanceof Notice.BudgetExhausted e) {
            type = "budget.exhausted";
            tenant = Optional.of(e.tenant());
            budget(data, e.tenant(), e.budget(), e.period(), e.periodId(), e.unit());
            data.put("spent", e.spent());
            data.put("limit", e.limit());
        } else if (notice instanceof Notice.LimitExceeded l) {
            type = "limit.exceeded";
            tenant = Optional.of(l.tenant());
            data.put("tenant", l.tenant());
            keyId(data, l.keyId());
            data.put("limit", l.limit());
            data.put("value", l.value());
        } else if (notice instanceof Notice.PolicyMatched p) {
            type = "policy.violation";
            tenant = Optional.of(p.tenant());
            policy(data, p);
        } else if (notice instanceof Notice.CircuitChanged c) {
            if (!c.to().equals("open") && !c.to().equals("closed")) {
                return Optional.empty();
            }
            type = c.to().equals("open") ? "provider.circuit_opened" : "provider.circuit_closed";
            tenant = Optional.empty();
            data.put("provider", c.provider());
            data.put("from", c.from());
            data.put("to", c.to());
            if (!c.cause().isEmpty()) {
                data.put("cause", c.cause());
            }
        } else {
            return Optional.empty();  // WebhookDisabled and notices that are not announced
        }
        return Optional.of(new Event(type, tenant, body(type, notice.at(), data)));
    }

    private static void budget(Map<String, Object> data, String tenant, int budget, String period, String periodId,
                               String unit) {
        data.put("tenant", tenant);
        data.put("budget", budget);
        data.put("period", period);
        data.put("period_id", periodId);
        data.put("unit", unit);
    }

    private static void policy(Map<String, Object> data, Notice.PolicyMatched p) {
        data.put("tenant", p.tenant());
        keyId(data, p.keyId());
        data.put("session_id", p.sessionId());
        if (!p.responseId().isEmpty()) {
            data.put("response_id", p.responseId());
        }
        data.put("policy", p.policy());
        data.put("policy_version", p.policyVersion());
        data.put("rule", p.rule());
        data.put("action", p.action());
        data.put("direction", p.direction());
    }

    private static void keyId(Map<String, Object> data, String keyId) {
        if (!keyId.isEmpty()) {
            data.put("key_id", keyId);
        }
    }

    private static byte[] body(String type, Instant at, Map<String, Object> data) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("type", type);
        payload.put("timestamp", at.truncatedTo(ChronoUnit.MILLIS).toString());
        payload.put("data", data);
        try {
            return JSON.writeValueAsBytes(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a payload of strings and numbers must serialise", e);
        }
    }
}
