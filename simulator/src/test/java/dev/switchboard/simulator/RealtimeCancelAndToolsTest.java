package dev.switchboard.simulator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RealtimeCancelAndToolsTest {

    /** Slow enough that a cancel always lands mid-stream. */
    private static final Map<String, String> SLOW = Map.of("sim_ttft_ms", "0", "sim_tokens_per_second", "20",
            "sim_tokens", "2000");
    private static WebSocketClient ws;
    private static SimulatorHttpClient http;
    private ProviderSimulator simulator;
    private RealtimeTestClient client;

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
    void connect() throws Exception {
        simulator = ProviderSimulator.start(SimulatorConfig.loopbackEphemeral());
        client = RealtimeTestClient.connect(ws, simulator);
        client.expect("session.created");
    }

    @AfterEach
    void stop() {
        client.close();
        simulator.close();
    }

    @Test
    void cancel_mid_stream_ends_the_response_cancelled_and_nothing_of_it_follows() throws Exception {
        client.send(RealtimeTestClient.userText("Talk for a long time"));
        client.send(RealtimeTestClient.responseCreate(SLOW));
        List<JsonNode> before = new ArrayList<>(client.until("response.output_text.delta"));
        before.addAll(client.until("response.output_text.delta"));
        client.send(RealtimeTestClient.event("response.cancel").put("event_id", "evt_cancel"));

        List<JsonNode> rest = client.until("response.done");
        client.send(RealtimeTestClient.event("session.update").set("session",
                SimulatorHttpClient.JSON.createObjectNode().put("type", "realtime")));

        client.expect("session.updated");
        assertNull(client.poll(Duration.ofMillis(300)), "nothing of the cancelled response after response.done");
        JsonNode done = rest.get(rest.size() - 1).path("response");
        assertEquals("cancelled", done.path("status").asText());
        assertEquals("cancelled", done.path("status_details").path("type").asText());
        assertEquals("client_cancelled", done.path("status_details").path("reason").asText());
        List<JsonNode> all = new ArrayList<>(before);
        all.addAll(rest);
        String sent = RealtimeTestClient.deltas(all, "response.output_text.delta");
        assertEquals(countDeltas(all), done.path("usage").path("output_tokens").asInt());
        assertTrue(countDeltas(all) < 2000);
        assertEquals(List.of("response.output_text.done", "response.content_part.done", "response.output_item.done",
                "conversation.item.done", "response.done"), RealtimeTestClient.types(rest).subList(
                        rest.size() - 5, rest.size()));
        assertEquals(sent, rest.get(rest.size() - 5).path("text").asText());
        assertEquals("incomplete", done.path("output").path(0).path("status").asText());
        await().atMost(RealtimeTestClient.WAIT).until(() -> simulator.stats().realtimeResponsesCancelled() == 1);
    }

    @Test
    void cancel_before_the_first_token_sends_only_response_done() throws Exception {
        client.send(RealtimeTestClient.userText("Slow start"));
        client.send(RealtimeTestClient.responseCreate(Map.of("sim_ttft_ms", "60000")));
        List<JsonNode> created = client.until("response.created");
        String id = created.get(created.size() - 1).path("response").path("id").asText();
        client.send(RealtimeTestClient.event("response.cancel").put("response_id", id));

        JsonNode done = client.expect("response.done").path("response");

        assertEquals("cancelled", done.path("status").asText());
        assertEquals("[]", done.path("output").toString());
        assertEquals(0, done.path("usage").path("output_tokens").asInt());
    }

    @Test
    void cancel_without_an_active_response_and_a_second_create_are_errors() throws Exception {
        client.send(RealtimeTestClient.event("response.cancel").put("event_id", "evt_c"));
        JsonNode notActive = client.expect("error").path("error");
        client.send(RealtimeTestClient.userText("Busy"));
        client.send(RealtimeTestClient.responseCreate(SLOW));
        client.until("response.created");
        client.send(RealtimeTestClient.responseCreate(SLOW).put("event_id", "evt_second"));
        JsonNode busy = client.until("error").stream().reduce((a, b) -> b).orElseThrow().path("error");
        client.send(RealtimeTestClient.event("response.cancel").put("response_id", "resp_other"));
        JsonNode wrongId = client.until("error").stream().reduce((a, b) -> b).orElseThrow().path("error");

        assertEquals("response_cancel_not_active", notActive.path("code").asText());
        assertEquals("evt_c", notActive.path("event_id").asText());
        assertEquals("conversation_already_has_active_response", busy.path("code").asText());
        assertEquals("evt_second", busy.path("event_id").asText());
        assertEquals("response_not_found", wrongId.path("code").asText());
        client.send(RealtimeTestClient.event("response.cancel"));
        assertEquals("cancelled", client.until("response.done").stream().reduce((a, b) -> b).orElseThrow()
                .path("response").path("status").asText());
    }

    @Test
    void a_tool_call_streams_a_function_call_item_and_its_output_gets_a_text_answer() throws Exception {
        ObjectNode update = RealtimeTestClient.event("session.update");
        update.putObject("session").put("type", "realtime").putArray("tools").addObject().put("type", "function")
                .put("name", "get_weather").put("description", "Weather by city");
        client.send(update);
        client.expect("session.updated");
        client.send(RealtimeTestClient.userText("Weather in Lisbon?"));
        client.send(RealtimeTestClient.responseCreate(ChatBodies.merge(RealtimeTestClient.FAST,
                Map.of("sim_tool_call", "get_weather"))));

        List<JsonNode> call = client.until("response.done");

        assertEquals(List.of("response.created", "response.output_item.added", "conversation.item.added"),
                RealtimeTestClient.types(call).subList(2, 5));
        JsonNode item = call.get(3).path("item");
        assertEquals("function_call", item.path("type").asText());
        assertEquals("get_weather", item.path("name").asText());
        String callId = item.path("call_id").asText();
        assertTrue(callId.startsWith("call_"), callId);
        List<JsonNode> deltas = call.stream()
                .filter(f -> f.path("type").asText().equals("response.function_call_arguments.delta")).toList();
        assertEquals(5, deltas.size());
        deltas.forEach(d -> assertEquals(callId, d.path("call_id").asText()));
        String arguments = RealtimeTestClient.deltas(call, "response.function_call_arguments.delta");
        assertTrue(arguments.matches("\\{\"city\":\"[A-Za-z]+\",\"days\":[1-7]}"), arguments);
        JsonNode argumentsDone = call.stream()
                .filter(f -> f.path("type").asText().equals("response.function_call_arguments.done")).findFirst()
                .orElseThrow();
        assertEquals(arguments, argumentsDone.path("arguments").asText());
        assertEquals("get_weather", argumentsDone.path("name").asText());
        JsonNode done = call.get(call.size() - 1).path("response");
        assertEquals("completed", done.path("status").asText());
        assertEquals(arguments, done.path("output").path(0).path("arguments").asText());

        ObjectNode output = RealtimeTestClient.event("conversation.item.create");
        output.putObject("item").put("type", "function_call_output").put("call_id", callId)
                .put("output", "{\"temperature\":21}");
        client.send(output);
        client.expect("conversation.item.added");
        client.expect("conversation.item.done");
        client.send(RealtimeTestClient.responseCreate(ChatBodies.merge(RealtimeTestClient.FAST,
                Map.of("sim_tool_call", "get_weather", "sim_tokens", "6"))));
        List<JsonNode> answer = client.until("response.done");
        assertEquals("message", answer.get(1).path("item").path("type").asText(), "a tool result gets text");
        assertEquals(6, countDeltas(answer));
    }

    @Test
    void a_tool_call_knob_naming_no_offered_tool_is_an_error() throws Exception {
        client.send(RealtimeTestClient.responseCreate(Map.of("sim_tool_call", "launch_rocket")));

        JsonNode error = client.expect("error").path("error");

        assertEquals("response.metadata.sim_tool_call", error.path("param").asText());
        assertEquals("invalid_value", error.path("code").asText());
    }

    @Test
    void bad_response_parameters_are_errors_naming_the_field() throws Exception {
        ObjectNode conversation = RealtimeTestClient.event("response.create");
        conversation.putObject("response").put("conversation", "sometimes");
        client.send(conversation);
        assertEquals("response.conversation", client.expect("error").path("error").path("param").asText());
        ObjectNode knob = RealtimeTestClient.responseCreate(Map.of("sim_tokens", "lots"));
        client.send(knob);
        assertEquals("response.metadata.sim_tokens", client.expect("error").path("error").path("param").asText());
        ObjectNode reference = RealtimeTestClient.event("response.create");
        reference.putObject("response").putArray("input").addObject().put("type", "item_reference")
                .put("id", "item_gone");
        client.send(reference);
        assertEquals("item_not_found", client.expect("error").path("error").path("code").asText());
    }

    private static long countDeltas(List<JsonNode> frames) {
        return frames.stream().filter(f -> f.path("type").asText().equals("response.output_text.delta")).count();
    }
}
