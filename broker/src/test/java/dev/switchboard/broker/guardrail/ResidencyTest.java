package dev.switchboard.broker.guardrail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.RealtimeClient;
import java.net.http.HttpResponse;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, residency, through the real broker: a tenant with {@code regions: [eu]} only ever reaches eu providers.
 * Every route lists a us provider first — a real HTTP server on a loopback port that counts what it receives and
 * would serve it — so a broker that ignored the rule, or failed over across regions, would show in its count. Each
 * test starts its own us provider and broker, so the count starts at 0.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ResidencyTest {
    private static final String YAML = """
            simulator: {enabled: true}
            providers:
              us: {kind: openai, base_url: "%s", region: us, retry: {max_retries: 0}}
              eu: {kind: openai, base_url: "simulator:/v1", region: eu}
              eu-down:
                kind: openai
                base_url: "simulator:/faults/status=503/v1"
                region: eu
                retry: {max_retries: 0}
            models:
              resident: {route: [us/sim-chat, eu/sim-chat]}
              resident-down: {route: [us/sim-chat, eu-down/sim-chat]}
              us-only: {route: [us/sim-chat]}
            tenants:
              in-eu: {keys: [k-eu], models: ["*"], regions: [eu]}
              anywhere: {keys: [k-any], models: ["*"]}
            """;

    private CountingProvider us;
    private GuardrailBroker broker;

    @BeforeEach
    void start() throws Exception {
        us = new CountingProvider();
        broker = GuardrailBroker.start(YAML.formatted(us.baseUri()), InstantSource.system(), store -> store);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            broker.close();
        } finally {
            us.close();
        }
    }

    @Test
    void a_tenant_held_to_eu_is_served_by_the_eu_target_and_the_us_provider_listed_first_is_never_contacted()
            throws Exception {
        HttpResponse<String> collected = broker.post("k-eu", GuardrailBroker.chat("resident", 3, false));
        assertEquals(200, collected.statusCode(), collected.body());
        HttpResponse<String> streamed = broker.post("k-eu", GuardrailBroker.chat("resident", 3, true));
        assertEquals(200, streamed.statusCode(), streamed.body());
        assertTrue(streamed.body().contains("[DONE]"), streamed.body());
        try (RealtimeClient client = broker.connect("k-eu", "resident")) {
            client.send(RealtimeClient.userMessage("Hello"));
            client.send(RealtimeClient.responseCreate("r1", "{\"sim_tokens\":\"3\",\"sim_ttft_ms\":\"0\"}"));
            JsonNode done = last(client.until("response.done")).path("response");
            assertEquals("completed", done.path("status").asText(), done::toString);
        }
        assertEquals(0, us.requests(), "the us provider was contacted for a tenant held to eu");

        // The control: the same route, for a tenant without regions, does reach the us provider, so the count
        // above is 0 because of the residency rule and not because the us provider cannot be reached.
        HttpResponse<String> unrestricted = broker.post("k-any", GuardrailBroker.chat("resident", 3, false));
        assertEquals(200, unrestricted.statusCode(), unrestricted.body());
        assertEquals(1, us.requests());
    }

    @Test
    void when_the_eu_target_fails_the_response_fails_and_failover_never_crosses_into_the_us_region()
            throws Exception {
        HttpResponse<String> http = broker.post("k-eu", GuardrailBroker.chat("resident-down", 3, false));
        assertTrue(http.statusCode() >= 500, http.statusCode() + " " + http.body());
        try (RealtimeClient client = broker.connect("k-eu", "resident-down")) {
            client.send(RealtimeClient.userMessage("Hello"));
            client.send(RealtimeClient.responseCreate("r1", "{\"sim_tokens\":\"3\",\"sim_ttft_ms\":\"0\"}"));
            JsonNode done = last(client.until("response.done")).path("response");
            assertEquals("failed", done.path("status").asText(), done::toString);
            assertTrue(client.received().stream()
                    .noneMatch(f -> f.path("type").asText().equals("switchboard.response.failover")),
                    () -> "a failover was announced: " + client.received());
        }
        assertEquals(2, broker.broker.simulator().orElseThrow().stats().faultsInjected(),
                "each answer tried the eu target");
        assertEquals(0, us.requests(), "a failed eu target failed over into the us region");
    }

    @Test
    void the_model_list_of_a_tenant_held_to_eu_holds_only_models_with_an_eu_target() throws Exception {
        assertEquals(List.of("resident", "resident-down"), modelIds("k-eu"));
        List<String> unrestricted = modelIds("k-any");
        assertTrue(unrestricted.containsAll(List.of("resident", "resident-down", "us-only", "sim-chat")),
                unrestricted::toString);
    }

    @Test
    void a_model_with_no_target_in_the_tenants_regions_is_refused_403_naming_residency_over_http_and_websocket()
            throws Exception {
        HttpResponse<String> http = broker.post("k-eu", GuardrailBroker.chat("us-only", 3, false));
        assertEquals(403, http.statusCode(), http.body());
        assertResidencyRefusal(RealtimeClient.JSON.readTree(http.body()));

        GuardrailBroker.UpgradeAnswer upgrade = broker.upgrade("k-eu", "us-only");
        assertEquals(403, upgrade.status(), upgrade::toString);
        assertResidencyRefusal(RealtimeClient.JSON.readTree(upgrade.body()));
        assertEquals(0, us.requests());
    }

    @Test
    void a_model_whose_provider_has_no_region_is_refused_403_for_a_tenant_with_regions_not_answered_500()
            throws Exception {
        // sim-chat routes to the embedded simulator, which is in no region. This used to be a 500: the region
        // filter asked the tenant's immutable region set whether it contains null.
        HttpResponse<String> http = broker.post("k-eu", GuardrailBroker.chat("sim-chat", 3, false));
        assertEquals(403, http.statusCode(), http.body());
        assertEquals("model_not_allowed", RealtimeClient.JSON.readTree(http.body()).path("error").path("code")
                .asText(), http.body());
        assertEquals(403, broker.upgrade("k-eu", "sim-chat").status());
    }

    private static void assertResidencyRefusal(JsonNode body) {
        JsonNode error = body.path("error");
        assertEquals("model_not_allowed", error.path("code").asText(), body::toString);
        String message = error.path("message").asText();
        assertTrue(message.contains("residency") && message.contains("[eu]") && message.contains("us-only"), message);
    }

    private List<String> modelIds(String key) throws Exception {
        HttpResponse<String> answer = broker.get("/v1/models", key);
        assertEquals(200, answer.statusCode(), answer.body());
        List<String> ids = new ArrayList<>();
        RealtimeClient.JSON.readTree(answer.body()).path("data").forEach(m -> ids.add(m.path("id").asText()));
        return ids;
    }

    private static JsonNode last(List<JsonNode> frames) {
        return frames.get(frames.size() - 1);
    }
}
