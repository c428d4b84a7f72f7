package dev.switchboard.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigException;
import dev.switchboard.broker.config.ConfigLoader;
import dev.switchboard.broker.reload.Reload;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.eclipse.jetty.websocket.api.exceptions.UpgradeException;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live reload through the real server: a configuration file is changed on disk and reloaded while sessions stream.
 * New admissions see the new keys, models and limits at once; sessions in flight continue; a bad file changes
 * nothing and is refused with the start-up message.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ConfigReloadTest {
    private static final String SLOW = "{\"sim_tokens\":\"300\",\"sim_ttft_ms\":\"0\",\"sim_tokens_per_second\":\"100\"}";
    private static final String BEFORE = """
            simulator: {enabled: true}
            models:
              sim-chat: {route: [simulator/sim-chat]}
              old-model: {route: [simulator/sim-chat]}
            tenants:
              acme: {keys: [acme-old, acme-kept], models: ["*"]}
            """;
    private static final String AFTER = """
            simulator: {enabled: true}
            models:
              sim-chat: {route: [simulator/sim-chat]}
              new-model: {route: [simulator/sim-chat]}
            tenants:
              acme: {keys: [acme-kept, acme-new], models: ["*"], limits: {requests_per_minute: 1}}
            """;

    @TempDir
    Path dir;
    private Path file;
    private TestBroker broker;
    private final ConfigLoader loader = new ConfigLoader(name -> null);
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        file = dir.resolve("switchboard.yaml");
        Files.writeString(file, BEFORE);
        broker = TestBroker.start(loader.load(file));
        broker.broker.configSource(() -> loader.load(file).withListen(new BrokerConfig.Listen("127.0.0.1", 0)));
    }

    @AfterEach
    void stop() throws Exception {
        broker.close();
    }

    private RealtimeClient open(String key, String model) throws Exception {
        RealtimeClient client = RealtimeClient.connect(broker.client, broker.ws(model), key);
        client.until("session.created");
        return client;
    }

    private static void startSlowAnswer(RealtimeClient client) throws Exception {
        client.send(RealtimeClient.userMessage("Tell me a long story."));
        client.until("conversation.item.done");
        client.send(RealtimeClient.responseCreate("go", SLOW));
        client.until("response.output_text.delta");
    }

    private int upgradeStatus(String key, String model) {
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        request.setHeader("Authorization", "Bearer " + key);
        ExecutionException failure = assertThrows(ExecutionException.class,
                () -> broker.client.connect(new RealtimeClient(), broker.ws(model), request).get());
        return assertInstanceOf(UpgradeException.class, failure.getCause()).getResponseStatusCode();
    }

    private HttpResponse<String> models(String key) throws Exception {
        return http.send(HttpRequest.newBuilder(broker.http("/v1/models")).header("Authorization", "Bearer " + key)
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void new_keys_models_and_limits_apply_to_new_admissions_while_sessions_in_flight_keep_streaming()
            throws Exception {
        try (RealtimeClient revoked = open("acme-old", "old-model")) {
            startSlowAnswer(revoked);
            Files.writeString(file, AFTER);

            Reload outcome = broker.broker.reload(false, "test");

            Reload.Applied applied = assertInstanceOf(Reload.Applied.class, outcome);
            assertTrue(!applied.version().equals(applied.previous()), applied::toString);
            assertEquals(List.of(), applied.restartRequired());
            assertEquals(applied.version(), broker.broker.configVersion());
            // The session of the revoked key, on the removed model, finishes its answer.
            JsonNode done = last(revoked.until("response.done"));
            assertEquals("completed", done.path("response").path("status").asText(), done::toString);
            assertEquals(401, upgradeStatus("acme-old", "sim-chat"));
            assertEquals(404, upgradeStatus("acme-kept", "old-model"));
            assertTrue(models("acme-new").body().contains("\"new-model\""));
            assertTrue(!models("acme-new").body().contains("\"old-model\""));
            try (RealtimeClient added = open("acme-new", "new-model")) {
                added.send(RealtimeClient.userMessage("Hi"));
                added.send(RealtimeClient.responseCreate("one", "{}"));
                assertEquals("completed", last(added.until("response.done")).path("response").path("status")
                        .asText());
                // requests_per_minute: 1 came with the reload: the second response is refused.
                added.send(RealtimeClient.responseCreate("two", "{}"));
                JsonNode refused = last(added.until(f -> f.path("type").asText().equals("error")
                        || f.path("type").asText().equals("response.done")));
                assertEquals("rate_limit_exceeded", refused.path("error").path("code").asText(), refused::toString);
            }
        }
    }

    @Test
    void a_session_resumes_after_its_model_was_removed_by_a_reload() throws Exception {
        String token;
        long lastSeq;
        try (RealtimeClient client = open("acme-kept", "old-model")) {
            token = client.received().get(0).path("resume_token").asText();
            lastSeq = client.received().get(0).path("seq").asLong();
            client.session().disconnect();
        }
        Files.writeString(file, AFTER);
        assertInstanceOf(Reload.Applied.class, broker.broker.reload(false, "test"));

        URI resume = URI.create("ws://127.0.0.1:" + broker.broker.port() + "/v1/realtime?resume_token=" + token
                + "&last_seq=" + lastSeq);
        try (RealtimeClient again = RealtimeClient.connect(broker.client, resume, "acme-kept")) {
            JsonNode resumed = again.next();
            assertEquals("session.resumed", resumed.path("type").asText(), resumed::toString);
            again.send(RealtimeClient.userMessage("Hi"));
            again.send(RealtimeClient.responseCreate("after", "{}"));
            assertEquals("completed", last(again.until("response.done")).path("response").path("status").asText());
        }
    }

    @Test
    void an_invalid_file_is_rejected_with_the_start_up_message_and_nothing_changes() throws Exception {
        String version = broker.broker.configVersion();
        String bad = BEFORE.replace("models: [\"*\"]", "models: [\"*\"], limits: {requests_per_minute: -3}");
        Files.writeString(file, bad);
        String startUpMessage = assertThrows(ConfigException.class, () -> loader.load(file)).getMessage();

        Reload outcome = broker.broker.reload(true, "test");

        assertEquals(new Reload.Rejected(startUpMessage), outcome);
        assertEquals(version, broker.broker.configVersion());
        try (RealtimeClient still = open("acme-old", "old-model")) {
            still.send(RealtimeClient.userMessage("Hi"));
            still.send(RealtimeClient.responseCreate("x", "{}"));
            assertEquals("completed", last(still.until("response.done")).path("response").path("status").asText());
        }
    }

    @Test
    void ending_revoked_sessions_closes_them_with_4043_and_leaves_the_others_alone() throws Exception {
        try (RealtimeClient revoked = open("acme-old", "sim-chat");
             RealtimeClient kept = open("acme-kept", "sim-chat")) {
            String token = revoked.received().get(0).path("resume_token").asText();
            startSlowAnswer(revoked);
            Files.writeString(file, AFTER);

            Reload.Applied applied = assertInstanceOf(Reload.Applied.class, broker.broker.reload(true, "test"));

            assertEquals(1, applied.sessionsEnded());
            assertEquals(4043, revoked.awaitClose());
            JsonNode error = revoked.received().stream().filter(f -> f.path("type").asText().equals("error"))
                    .reduce((a, b) -> b).orElseThrow();
            assertEquals("api_key_revoked", error.path("error").path("code").asText(), error::toString);
            kept.send(RealtimeClient.userMessage("Hi"));
            kept.send(RealtimeClient.responseCreate("x", "{}"));
            assertEquals("completed", last(kept.until("response.done")).path("response").path("status").asText());
            URI resume = URI.create("ws://127.0.0.1:" + broker.broker.port() + "/v1/realtime?resume_token=" + token
                    + "&last_seq=0");
            try (RealtimeClient again = RealtimeClient.connect(broker.client, resume, "acme-kept")) {
                assertEquals(4410, again.awaitClose());
            }
        }
    }

    @Test
    void sections_that_need_a_restart_are_named_and_not_applied() throws Exception {
        Files.writeString(file, BEFORE + "rings: {shards: 3}\n");

        Reload.Applied applied = assertInstanceOf(Reload.Applied.class, broker.broker.reload(false, "test"));

        assertEquals(List.of("rings"), applied.restartRequired());
    }

    @Test
    void a_broker_without_a_configuration_file_refuses_to_reload() throws Exception {
        try (TestBroker dev = TestBroker.dev()) {
            Reload outcome = dev.broker.reload(false, "test");
            assertTrue(assertInstanceOf(Reload.Unavailable.class, outcome).message().contains("without --config"));
        }
    }

    private static JsonNode last(List<JsonNode> frames) {
        return frames.get(frames.size() - 1);
    }
}
