package dev.switchboard.broker.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /admin/config/reload} and {@code GET /admin/tenants/{id}/usage} through the real admin listener of a
 * broker started from a file: the broker's own reload and usage ledger behind them, with a live session streaming
 * through the reload.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AdminLiveReloadAndUsageTest {
    private static final String SLOW = "{\"sim_tokens\":\"200\",\"sim_ttft_ms\":\"0\",\"sim_tokens_per_second\":\"100\"}";
    private static final String CONFIG = """
            simulator: {enabled: true}
            admin:
              listen: {host: 127.0.0.1, port: 0}
              tokens:
                - {token: admin-token-1, role: admin, name: ops}
                - {token: viewer-token-1, role: viewer}
            prices:
              sim-chat: {input: 1.0, output: 2.0}
            models:
              sim-chat: {route: [simulator/sim-chat]}
            tenants:
              acme: {keys: [%s], models: ["*"]}
            """;

    @TempDir
    Path dir;

    @Test
    void a_reload_over_http_applies_a_new_key_while_a_session_streams_and_a_bad_file_is_400_with_nothing_changed()
            throws Exception {
        Path file = dir.resolve("switchboard.yaml");
        Files.writeString(file, CONFIG.formatted("key-one"));
        ConfigLoader loader = new ConfigLoader(name -> null);
        try (AdminBroker broker = AdminBroker.start(loader.load(file))) {
            broker.broker.configSource(() -> loader.load(file).withListen(new BrokerConfig.Listen("127.0.0.1", 0)));
            String before = broker.broker.configVersion();
            AdminBroker.Live live = broker.open("key-one", "sim-chat");
            live.client().send(RealtimeClient.userMessage("Tell me a story."));
            live.client().send(RealtimeClient.responseCreate("r1", SLOW));
            live.client().until("response.output_text.delta");

            Files.writeString(file, CONFIG.formatted("key-one, key-two") + "rings: {shards: 3}\n");
            assertEquals(403, broker.post("/admin/config/reload", "viewer-token-1").statusCode());
            HttpResponse<String> applied = broker.post("/admin/config/reload", "admin-token-1");

            assertEquals(200, applied.statusCode(), applied::body);
            JsonNode body = AdminBroker.json(applied);
            assertEquals(broker.broker.configVersion(), body.path("version").asText());
            assertEquals(before, body.path("previous_version").asText());
            assertEquals("rings", body.path("restart_required").path(0).asText(), body::toString);
            List<JsonNode> rest = live.client().until("response.done");
            assertEquals("completed", rest.get(rest.size() - 1).path("response").path("status").asText());
            broker.open("key-two", "sim-chat").client().close();

            String version = broker.broker.configVersion();
            Files.writeString(file, CONFIG.formatted("key-one") + "tenants_typo: {}\n");
            HttpResponse<String> rejected = broker.post("/admin/config/reload", "admin-token-1");
            assertEquals(400, rejected.statusCode(), rejected::body);
            JsonNode error = AdminBroker.json(rejected).path("error");
            assertEquals("invalid_configuration", error.path("code").asText());
            assertTrue(error.path("message").asText().contains("tenants_typo"), error::toString);
            assertEquals(version, broker.broker.configVersion());
            broker.open("key-two", "sim-chat").client().close();
        }
    }

    @Test
    void the_usage_endpoint_reports_what_the_provider_counted_for_the_responses_served() throws Exception {
        try (AdminBroker broker = AdminBroker.start(CONFIG.formatted("key-one"))) {
            long input = 0;
            long output = 0;
            for (int i = 0; i < 3; i++) {
                try (RealtimeClient client = broker.open("key-one", "sim-chat").client()) {
                    client.send(RealtimeClient.userMessage("Hello number " + i));
                    client.send(RealtimeClient.responseCreate("r" + i, "{\"sim_tokens\":\"" + (5 + i) + "\"}"));
                    List<JsonNode> frames = client.until("response.done");
                    JsonNode usage = frames.get(frames.size() - 1).path("response").path("usage");
                    input += usage.path("input_tokens").asLong();
                    output += usage.path("output_tokens").asLong();
                }
            }
            String today = LocalDate.now(ZoneOffset.UTC).toString();
            String query = "/admin/tenants/acme/usage?from=" + today + "&to=" + today + "&group_by=model";
            long expectedInput = input;
            long expectedOutput = output;
            JsonNode totals = org.awaitility.Awaitility.await().atMost(AdminBroker.TIMEOUT).until(
                    () -> AdminBroker.json(broker.get(query, "viewer-token-1")).path("totals"),
                    t -> t.path("requests").asLong() == 3);

            assertEquals(expectedInput, totals.path("input_tokens").asLong(), totals::toString);
            assertEquals(expectedOutput, totals.path("output_tokens").asLong(), totals::toString);
            assertEquals((expectedInput * 1.0 + expectedOutput * 2.0) / 1_000_000, totals.path("cost_usd").asDouble(),
                    1e-12, totals::toString);
            assertEquals(400, broker.get("/admin/tenants/acme/usage?group_by=color", "viewer-token-1").statusCode());
            assertEquals(404, broker.get("/admin/tenants/nobody/usage", "admin-token-1").statusCode());
        }
    }
}
