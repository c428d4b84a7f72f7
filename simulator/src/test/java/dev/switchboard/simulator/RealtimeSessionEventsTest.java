package dev.switchboard.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.List;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RealtimeSessionEventsTest {

    private static WebSocketClient ws;
    private static SimulatorHttpClient http;
    private ProviderSimulator simulator;

    @BeforeAll
    static void startClients() throws Exception {
        ws = new WebSocketClient();
        ws.start();
        http = new SimulatorHttpClient();
    }

    @AfterAll
    static void stopClients() throws Exception {
        ws.stop();
        http.close();
    }

    @BeforeEach
    void startSimulator() throws Exception {
        simulator = ProviderSimulator.start(SimulatorConfig.loopbackEphemeral());
    }

    @AfterEach
    void stopSimulator() {
        simulator.close();
    }

    @Test
    void session_created_is_the_ga_session_object() throws Exception {
        try (RealtimeTestClient client = RealtimeTestClient.connect(ws, simulator)) {
            JsonNode session = client.expect("session.created").path("session");

            assertEquals("realtime", session.path("type").asText());
            assertEquals("realtime.session", session.path("object").asText());
            assertTrue(session.path("id").asText().startsWith("sess_"));
            assertEquals("sim-realtime", session.path("model").asText());
            assertEquals("[\"text\"]", session.path("output_modalities").toString());
            assertEquals("", session.path("instructions").asText());
            assertEquals("[]", session.path("tools").toString());
            assertEquals("auto", session.path("tool_choice").asText());
            assertEquals("inf", session.path("max_output_tokens").asText());
            assertEquals("{\"type\":\"audio/pcm\",\"rate\":24000}",
                    session.path("audio").path("input").path("format").toString());
            assertTrue(session.path("audio").path("input").path("turn_detection").isNull());
            assertEquals("audio/pcm", session.path("audio").path("output").path("format").path("type").asText());
            assertEquals("alloy", session.path("audio").path("output").path("voice").asText());
        }
    }

    @Test
    void session_update_merges_a_patch_and_answers_session_updated() throws Exception {
        try (RealtimeTestClient client = RealtimeTestClient.connect(ws, simulator)) {
            client.expect("session.created");
            ObjectNode update = RealtimeTestClient.event("session.update");
            ObjectNode session = update.putObject("session").put("type", "realtime").put("instructions", "Be brief.")
                    .put("max_output_tokens", 100);
            session.putArray("tools").addObject().put("type", "function").put("name", "get_weather");
            session.putObject("audio").putObject("input").putObject("turn_detection").put("type", "server_vad")
                    .put("silence_duration_ms", 400);
            client.send(update);
            JsonNode first = client.expect("session.updated").path("session");
            ObjectNode second = RealtimeTestClient.event("session.update");
            second.putObject("session").put("type", "realtime").putArray("output_modalities").add("audio");
            client.send(second);
            JsonNode merged = client.expect("session.updated").path("session");

            assertEquals("Be brief.", first.path("instructions").asText());
            assertEquals("Be brief.", merged.path("instructions").asText(), "absent fields keep their values");
            assertEquals(100, merged.path("max_output_tokens").asInt());
            assertEquals("get_weather", merged.path("tools").path(0).path("name").asText());
            assertEquals("[\"audio\"]", merged.path("output_modalities").toString());
            JsonNode vad = merged.path("audio").path("input").path("turn_detection");
            assertEquals("server_vad", vad.path("type").asText());
            assertEquals(400, vad.path("silence_duration_ms").asInt());
            assertEquals(0.5, vad.path("threshold").asDouble());
            assertEquals(300, vad.path("prefix_padding_ms").asInt());
            assertTrue(vad.path("create_response").asBoolean());
        }
    }

    @Test
    void a_bad_session_update_is_an_error_naming_the_field_and_changes_nothing() throws Exception {
        try (RealtimeTestClient client = RealtimeTestClient.connect(ws, simulator)) {
            client.expect("session.created");
            ObjectNode update = RealtimeTestClient.event("session.update").put("event_id", "evt_1");
            update.putObject("session").put("type", "realtime").put("instructions", "changed?")
                    .put("max_output_tokens", 5000);
            client.send(update);

            JsonNode error = client.expect("error").path("error");
            assertEquals("invalid_request_error", error.path("type").asText());
            assertEquals("invalid_value", error.path("code").asText());
            assertEquals("session.max_output_tokens", error.path("param").asText());
            assertEquals("evt_1", error.path("event_id").asText());
            ObjectNode probe = RealtimeTestClient.event("session.update");
            probe.putObject("session").put("type", "realtime");
            client.send(probe);
            assertEquals("", client.expect("session.updated").path("session").path("instructions").asText());
        }
    }

    @Test
    void items_are_added_after_a_previous_item_and_deleted() throws Exception {
        try (RealtimeTestClient client = RealtimeTestClient.connect(ws, simulator)) {
            client.expect("session.created");
            client.send(RealtimeTestClient.userText("first"));
            JsonNode first = client.expect("conversation.item.added");
            JsonNode firstDone = client.expect("conversation.item.done");
            String firstId = first.path("item").path("id").asText();
            ObjectNode second = RealtimeTestClient.userText("second");
            ((ObjectNode) second.path("item")).put("id", "item_client_2");
            second.put("previous_item_id", "root");
            client.send(second);
            JsonNode added = client.expect("conversation.item.added");
            client.expect("conversation.item.done");
            ObjectNode delete = RealtimeTestClient.event("conversation.item.delete").put("item_id", firstId);
            client.send(delete);
            JsonNode deleted = client.expect("conversation.item.deleted");

            assertTrue(first.path("previous_item_id").isNull());
            assertEquals(first.path("item"), firstDone.path("item"));
            assertEquals("realtime.item", first.path("item").path("object").asText());
            assertEquals("completed", first.path("item").path("status").asText());
            assertEquals("input_text", first.path("item").path("content").path(0).path("type").asText());
            assertEquals("first", first.path("item").path("content").path(0).path("text").asText());
            assertEquals("item_client_2", added.path("item").path("id").asText());
            assertTrue(added.path("previous_item_id").isNull(), "inserted at the root");
            assertEquals(firstId, deleted.path("item_id").asText());
        }
    }

    @Test
    void item_errors_name_the_problem() throws Exception {
        try (RealtimeTestClient client = RealtimeTestClient.connect(ws, simulator)) {
            client.expect("session.created");
            client.send("{\"type\":\"conversation.item.create\"}");
            assertEquals("missing_required_parameter", client.expect("error").path("error").path("code").asText());
            client.send("{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"message\",\"role\":\"robot\","
                    + "\"content\":[]}}");
            assertEquals("item.role", client.expect("error").path("error").path("param").asText());
            client.send("{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"message\",\"role\":\"user\","
                    + "\"content\":[{\"type\":\"input_text\",\"text\":5}]}}");
            assertEquals("item.content[0].text", client.expect("error").path("error").path("param").asText());
            ObjectNode orphan = RealtimeTestClient.userText("x").put("previous_item_id", "item_nope");
            client.send(orphan);
            assertEquals("item_not_found", client.expect("error").path("error").path("code").asText());
            client.send("{\"type\":\"conversation.item.delete\",\"item_id\":\"item_nope\"}");
            assertEquals("item_not_found", client.expect("error").path("error").path("code").asText());
            ObjectNode twice = RealtimeTestClient.userText("x");
            ((ObjectNode) twice.path("item")).put("id", "dup");
            client.send(twice);
            client.expect("conversation.item.added");
            client.expect("conversation.item.done");
            client.send(twice);
            assertEquals("item_already_exists", client.expect("error").path("error").path("code").asText());
        }
    }

    @Test
    void unknown_malformed_and_binary_frames_get_error_events_and_the_session_carries_on() throws Exception {
        try (RealtimeTestClient client = RealtimeTestClient.connect(ws, simulator)) {
            client.expect("session.created");
            client.send("{\"type\":\"session.teleport\",\"event_id\":\"evt_9\"}");
            JsonNode unknown = client.expect("error").path("error");
            client.send("{not json");
            JsonNode malformed = client.expect("error").path("error");
            client.send("{\"event_id\":\"evt_10\"}");
            JsonNode untyped = client.expect("error").path("error");
            client.sendBinary(new byte[] {1, 2, 3});
            JsonNode binary = client.expect("error").path("error");
            client.send("[1,2]");
            JsonNode array = client.expect("error").path("error");

            assertEquals("invalid_value", unknown.path("code").asText());
            assertEquals("type", unknown.path("param").asText());
            assertEquals("evt_9", unknown.path("event_id").asText());
            assertEquals("invalid_json", malformed.path("code").asText());
            assertTrue(malformed.path("event_id").isNull());
            assertEquals("missing_required_parameter", untyped.path("code").asText());
            assertEquals("evt_10", untyped.path("event_id").asText());
            assertEquals("invalid_value", binary.path("code").asText());
            assertEquals("invalid_json", array.path("code").asText());
            client.send(RealtimeTestClient.event("session.update").set("session",
                    SimulatorHttpClient.JSON.createObjectNode().put("type", "realtime")));
            client.expect("session.updated");
            assertTrue(client.isOpen());
        }
    }

    @Test
    void a_missing_or_wrong_key_is_refused_with_401_before_the_upgrade() throws Exception {
        try (ProviderSimulator keyed = ProviderSimulator.start(SimulatorConfig.loopbackEphemeral().withApiKey("k1"))) {
            URI uri = RealtimeTestClient.uri(keyed, "", SimulatorModels.SIM_REALTIME);
            ClientUpgradeRequest wrong = new ClientUpgradeRequest();
            wrong.setHeader("Authorization", "Bearer nope");
            ClientUpgradeRequest right = new ClientUpgradeRequest();
            right.setHeader("Authorization", "Bearer k1");

            assertEquals(401, RealtimeTestClient.refusedStatus(ws, uri, new ClientUpgradeRequest()));
            assertEquals(401, RealtimeTestClient.refusedStatus(ws, uri, wrong));
            try (RealtimeTestClient client = RealtimeTestClient.connect(ws, uri, right)) {
                client.expect("session.created");
            }
        }
    }

    @Test
    void unknown_and_missing_models_are_refused_before_the_upgrade() throws Exception {
        URI unknown = RealtimeTestClient.uri(simulator, "", "gpt-4o");
        URI missing = URI.create("ws://127.0.0.1:" + simulator.port() + "/v1/realtime");

        assertEquals(404, RealtimeTestClient.refusedStatus(ws, unknown, new ClientUpgradeRequest()));
        assertEquals(400, RealtimeTestClient.refusedStatus(ws, missing, new ClientUpgradeRequest()));
    }

    @Test
    void a_plain_get_is_told_to_upgrade_and_the_models_list_names_the_realtime_model() throws Exception {
        ContentResponse plain = http.get(URI.create("http://127.0.0.1:" + simulator.port()
                + "/v1/realtime?model=sim-realtime"));
        ContentResponse models = http.get(URI.create(simulator.baseUri() + "/models"));

        assertEquals(426, plain.getStatus());
        assertEquals("upgrade_required", SimulatorHttpClient.json(plain).path("error").path("code").asText());
        assertTrue(models.getContentAsString().contains("\"sim-realtime\""));
    }

    @Test
    void the_realtime_subprotocol_is_selected_when_offered() throws Exception {
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        request.setSubProtocols(List.of("realtime"));
        RealtimeTestClient client = RealtimeTestClient.connect(ws,
                RealtimeTestClient.uri(simulator, "", SimulatorModels.SIM_REALTIME), request);
        try (client) {
            client.expect("session.created");
            assertEquals("realtime", client.acceptedSubprotocol());
        }
    }

    @Test
    void closing_the_simulator_closes_open_sessions() throws Exception {
        RealtimeTestClient client = RealtimeTestClient.connect(ws, simulator);
        client.expect("session.created");

        simulator.close();

        assertEquals(1001, client.awaitClose());
    }
}
