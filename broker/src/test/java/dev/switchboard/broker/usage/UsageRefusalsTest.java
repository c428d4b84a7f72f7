package dev.switchboard.broker.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.MovableClock;
import dev.switchboard.broker.RealtimeClient;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Requests the broker refuses before they run count as refusals of their tenant and key, and never as requests or
 * tokens: a rate limit's denial (HTTP and WebSocket), input blocked by the content policy, and a model the tenant may
 * not use at admission (counted under the empty model, since a refused request's model is whatever it said).
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class UsageRefusalsTest {
    private static final String YAML = """
            simulator: {enabled: true}
            policies:
              strict: {input: [{detect: keywords, name: banned, words: [verboten], action: block}]}
            tenants:
              paced:
                keys: [{key: k-paced, id: paced-key}]
                models: [sim-chat]
                limits: {requests_per_minute: 1}
                policy: strict
            """;

    @Test
    void refused_requests_count_as_refusals_with_no_request_and_no_tokens() throws Exception {
        MovableClock clock = new MovableClock(Instant.parse("2026-12-04T12:00:00Z"));
        try (UsageBroker broker = UsageBroker.start(YAML, clock)) {
            JsonNode usage = broker.chatUsage("k-paced", "sim-chat", 6, false);
            // The clock stands still: the minute's one request is taken.
            HttpResponse<String> limited = broker.post("k-paced", UsageBroker.chat("sim-chat", 6, false, "Hi"));
            assertEquals(429, limited.statusCode(), limited.body());
            try (RealtimeClient session = broker.connect("k-paced", "sim-chat")) {
                session.send(RealtimeClient.responseCreate("go", "{}"));
                List<JsonNode> frames = session.until("error");
                assertEquals("rate_limit_exceeded", frames.get(frames.size() - 1).path("error").path("code").asText());
            }
            HttpResponse<String> blocked = broker.post("k-paced", UsageBroker.chat("sim-chat", 6, false,
                    "Something verboten."));
            assertEquals("content_policy_violation", RealtimeClient.JSON.readTree(blocked.body()).path("error")
                    .path("code").asText(), blocked.body());
            HttpResponse<String> notAllowed = broker.post("k-paced", UsageBroker.chat("sim-claude", 6, false, "Hi"));
            assertEquals(403, notAllowed.statusCode(), notAllowed.body());

            JsonNode report = broker.report("paced", null, null, "model");
            JsonNode rows = report.path("rows");
            assertEquals(2, rows.size(), report::toString);
            JsonNode admission = rows.get(0);
            assertEquals("", admission.path("model").asText(), report::toString);
            assertEquals(1, admission.path("refusals").asLong(), report::toString);
            assertEquals(0, admission.path("requests").asLong(), report::toString);
            assertEquals(0, admission.path("input_tokens").asLong() + admission.path("output_tokens").asLong());
            JsonNode chat = rows.get(1);
            assertEquals("sim-chat", chat.path("model").asText(), report::toString);
            assertEquals(3, chat.path("refusals").asLong(), report::toString);
            assertEquals(1, chat.path("requests").asLong(), report::toString);
            assertEquals(usage.path("input_tokens").asLong(), chat.path("input_tokens").asLong(), report::toString);
            assertEquals(usage.path("output_tokens").asLong(), chat.path("output_tokens").asLong(), report::toString);
            assertEquals(4, report.path("totals").path("refusals").asLong(), report::toString);
            JsonNode byKey = broker.report("paced", null, null, "key");
            assertEquals("paced-key", byKey.path("rows").get(0).path("key").asText(), byKey::toString);
            assertEquals(4, byKey.path("rows").get(0).path("refusals").asLong(), byKey::toString);
        }
    }
}
