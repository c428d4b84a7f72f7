package dev.switchboard.broker.failover;

import dev.switchboard.broker.SeqAssert;
import dev.switchboard.broker.RealtimeClient;
import static dev.switchboard.broker.failover.Frames.done;
import static dev.switchboard.broker.failover.Frames.ofType;
import static dev.switchboard.broker.failover.Frames.types;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** A function call streamed as a Realtime function_call item, then answered by the client's tool output. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ToolCallTest {
    private static final String TOOLS = "[{\"type\":\"function\",\"name\":\"get_weather\",\"description\":"
            + "\"Weather forecast for a city\",\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":"
            + "{\"type\":\"string\"},\"days\":{\"type\":\"integer\"}},\"required\":[\"city\"]}}]";
    // sim_tool_call stays set for the second response: only a tool result as the last message turns it into text.
    private static final String CALL_KNOBS = "{\"sim_tool_call\":\"get_weather\",\"sim_tokens\":\"20\","
            + "\"sim_ttft_ms\":\"0\",\"sim_tokens_per_second\":\"100000\"}";

    @Test
    void a_tool_call_streams_as_a_function_call_item_and_its_output_leads_to_a_text_answer() throws Exception {
        try (TestBroker broker = TestBroker.start(Routes.YAML);
             RealtimeClient client = broker.connect(Routes.DIRECT)) {
            client.next();
            client.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"tools\":" + TOOLS + "}}");
            JsonNode updated = client.next();
            assertEquals("session.updated", updated.path("type").asText(), updated::toString);
            assertEquals("get_weather", updated.path("session").path("tools").path(0).path("name").asText());

            client.send(RealtimeClient.userMessage("Will it rain in Lisbon this week?"));
            client.until("conversation.item.done");
            client.send(RealtimeClient.responseCreate("evt_call", CALL_KNOBS));
            List<JsonNode> call = client.until("response.done");
            Frames.assertSingleResponse(call);
            String callId = assertFunctionCall(call);

            client.send("{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"function_call_output\","
                    + "\"call_id\":\"" + callId + "\",\"output\":\"{\\\"forecast\\\":\\\"sunny\\\"}\"}}");
            List<JsonNode> echoed = client.until("conversation.item.done");
            JsonNode outputItem = echoed.get(echoed.size() - 1).path("item");
            assertEquals("function_call_output", outputItem.path("type").asText(), outputItem::toString);
            assertEquals(callId, outputItem.path("call_id").asText());

            client.send(RealtimeClient.responseCreate("evt_answer", CALL_KNOBS));
            List<JsonNode> answer = client.until("response.done");
            Frames.assertSingleResponse(answer);
            assertTrue(ofType(answer, "response.function_call_arguments.delta").isEmpty(), () -> types(answer)
                    .toString());
            assertEquals(20, ofType(answer, "response.output_text.delta").size());
            JsonNode response = done(answer);
            assertEquals("completed", response.path("status").asText(), response::toString);
            assertEquals("message", response.path("output").path(0).path("type").asText());
            assertFalse(Frames.outputText(response, 0).isBlank());
            SeqAssert.contiguousFromOne(client.received());
        }
    }

    @Test
    void a_tool_call_cut_mid_arguments_is_restarted_as_a_new_call_and_only_that_call_joins_the_conversation()
            throws Exception {
        try (TestBroker broker = TestBroker.start(Routes.YAML);
             RealtimeClient client = broker.connect("sim-call-cut")) {
            client.next();
            client.send("{\"type\":\"session.update\",\"session\":{\"tools\":" + TOOLS + "}}");
            client.until("session.updated");
            client.send(RealtimeClient.userMessage("Will it rain in Lisbon this week?"));
            client.until("conversation.item.done");
            client.send(RealtimeClient.responseCreate("evt_call", CALL_KNOBS));
            List<JsonNode> frames = client.until("response.done");
            Frames.assertSingleResponse(frames);

            JsonNode failover = Frames.onlyFailover(frames);
            assertEquals("restart", failover.path("mode").asText(), "a partial call cannot be continued");
            assertEquals(1, failover.path("output_index").asInt());
            JsonNode response = done(frames);
            assertEquals("completed", response.path("status").asText(), response::toString);
            assertEquals(2, response.path("output").size(), response::toString);
            JsonNode cut = response.path("output").path(0);
            JsonNode whole = response.path("output").path(1);
            assertEquals("incomplete", cut.path("status").asText());
            assertEquals("completed", whole.path("status").asText());
            assertEquals("function_call", whole.path("type").asText());
            JsonNode arguments = RealtimeClient.JSON.readTree(whole.path("arguments").asText());
            assertTrue(arguments.path("city").isTextual(), whole::toString);
            assertTrue(whole.path("arguments").asText().startsWith(cut.path("arguments").asText()),
                    "the cut call held a prefix of the same deterministic arguments");

            // Answering the completed call yields text: the abandoned call is not in the conversation, or the
            // provider would see a call without a result.
            client.send("{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"function_call_output\","
                    + "\"call_id\":\"" + whole.path("call_id").asText() + "\",\"output\":\"sunny\"}}");
            client.until("conversation.item.done");
            client.send(RealtimeClient.responseCreate("evt_answer", CALL_KNOBS));
            List<JsonNode> answer = client.until("response.done");
            assertEquals("completed", done(answer).path("status").asText(), () -> done(answer).toString());
            assertEquals("message", done(answer).path("output").path(0).path("type").asText());
            SeqAssert.contiguousFromOne(client.received());
        }
    }

    /** Checks the function-call response's events and returns the call id. */
    private static String assertFunctionCall(List<JsonNode> frames) throws Exception {
        List<String> types = types(frames);
        assertTrue(ofType(frames, "response.output_text.delta").isEmpty(), types::toString);

        List<JsonNode> added = ofType(frames, "response.output_item.added");
        assertEquals(1, added.size(), types::toString);
        JsonNode item = added.get(0).path("item");
        assertEquals("function_call", item.path("type").asText(), item::toString);
        assertEquals("get_weather", item.path("name").asText());
        String callId = item.path("call_id").asText();
        assertFalse(callId.isEmpty(), item::toString);
        String itemId = item.path("id").asText();

        List<JsonNode> deltas = ofType(frames, "response.function_call_arguments.delta");
        assertTrue(deltas.size() >= 2, () -> "argument deltas: " + deltas);
        assertTrue(deltas.stream().allMatch(d -> d.path("call_id").asText().equals(callId)
                && d.path("item_id").asText().equals(itemId) && d.path("output_index").asInt() == 0));
        String streamed = deltas.stream().map(d -> d.path("delta").asText()).collect(Collectors.joining());

        List<JsonNode> argsDone = ofType(frames, "response.function_call_arguments.done");
        assertEquals(1, argsDone.size());
        assertEquals(streamed, argsDone.get(0).path("arguments").asText());
        assertEquals(callId, argsDone.get(0).path("call_id").asText());
        JsonNode arguments = RealtimeClient.JSON.readTree(streamed);
        assertTrue(arguments.path("city").isTextual(), streamed);
        int days = arguments.path("days").asInt();
        assertTrue(days >= 1 && days <= 7, streamed);

        List<JsonNode> itemDone = ofType(frames, "response.output_item.done");
        assertEquals(1, itemDone.size());
        assertEquals("completed", itemDone.get(0).path("item").path("status").asText());
        assertEquals(streamed, itemDone.get(0).path("item").path("arguments").asText());

        assertTrue(frames.indexOf(added.get(0)) < frames.indexOf(deltas.get(0))
                && frames.indexOf(deltas.get(deltas.size() - 1)) < frames.indexOf(argsDone.get(0))
                && frames.indexOf(argsDone.get(0)) < frames.indexOf(itemDone.get(0)), types::toString);

        JsonNode response = done(frames);
        assertEquals("completed", response.path("status").asText(), response::toString);
        assertEquals(1, response.path("output").size());
        assertEquals("function_call", response.path("output").path(0).path("type").asText());
        assertEquals(callId, response.path("output").path(0).path("call_id").asText());
        assertEquals(streamed, response.path("output").path(0).path("arguments").asText());
        return callId;
    }
}
