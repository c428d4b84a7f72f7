package dev.switchboard.bridge.realtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * OpenAI Realtime GA server and client events, as compact JSON with fields in the provider's order: what the fake
 * provider sends and what tests send up. Ids are unique per call ({@code event_id}) or chosen by the caller.
 */
final class GaEvents {
    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final AtomicLong EVENT_IDS = new AtomicLong();

    private GaEvents() {
    }

    private static ObjectNode event(String type) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("event_id", "event_" + EVENT_IDS.incrementAndGet());
        node.put("type", type);
        return node;
    }

    static String json(ObjectNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sessionCreated(String model) {
        ObjectNode event = event("session.created");
        ObjectNode session = event.putObject("session");
        session.put("type", "realtime").put("object", "realtime.session").put("id", "sess_fake1")
                .put("model", model).put("instructions", "");
        session.putArray("output_modalities").add("text");
        session.putArray("tools");
        session.put("tool_choice", "auto").put("max_output_tokens", "inf");
        return json(event);
    }

    static String sessionUpdated(String instructions) {
        ObjectNode event = event("session.updated");
        event.putObject("session").put("type", "realtime").put("object", "realtime.session")
                .put("instructions", instructions);
        return json(event);
    }

    static String responseCreated(String responseId) {
        ObjectNode event = event("response.created");
        ObjectNode response = response(event, responseId, "in_progress");
        response.putArray("output");
        return json(event);
    }

    private static ObjectNode response(ObjectNode event, String responseId, String status) {
        ObjectNode response = event.putObject("response");
        response.put("id", responseId).put("object", "realtime.response").put("status", status);
        response.put("conversation_id", "conv_fake1");
        response.putArray("output_modalities").add("text");
        return response;
    }

    private static ObjectNode message(ObjectNode parent, String field, String itemId, String status) {
        ObjectNode item = parent.putObject(field);
        item.put("id", itemId).put("type", "message").put("object", "realtime.item").put("status", status)
                .put("role", "assistant");
        return item;
    }

    static String outputItemAdded(String responseId, String itemId) {
        ObjectNode event = event("response.output_item.added");
        event.put("response_id", responseId).put("output_index", 0);
        message(event, "item", itemId, "in_progress").putArray("content");
        return json(event);
    }

    private static ObjectNode part(String type, String responseId, String itemId) {
        ObjectNode event = event(type);
        event.put("response_id", responseId).put("item_id", itemId).put("output_index", 0).put("content_index", 0);
        return event;
    }

    static String contentPartAdded(String responseId, String itemId) {
        ObjectNode event = part("response.content_part.added", responseId, itemId);
        event.putObject("part").put("type", "text").put("text", "");
        return json(event);
    }

    static String outputTextDelta(String responseId, String itemId, String delta) {
        return json(part("response.output_text.delta", responseId, itemId).put("delta", delta));
    }

    static String outputTextDone(String responseId, String itemId, String text) {
        return json(part("response.output_text.done", responseId, itemId).put("text", text));
    }

    static String contentPartDone(String responseId, String itemId, String text) {
        ObjectNode event = part("response.content_part.done", responseId, itemId);
        event.putObject("part").put("type", "text").put("text", text);
        return json(event);
    }

    static String outputItemDone(String responseId, String itemId, String text) {
        ObjectNode event = event("response.output_item.done");
        event.put("response_id", responseId).put("output_index", 0);
        message(event, "item", itemId, "completed").putArray("content").addObject()
                .put("type", "output_text").put("text", text);
        return json(event);
    }

    static String responseDone(String responseId, String itemId, String text) {
        ObjectNode event = event("response.done");
        ObjectNode response = response(event, responseId, "completed");
        ObjectNode output = response.putArray("output").addObject();
        output.put("id", itemId).put("type", "message").put("object", "realtime.item").put("status", "completed")
                .put("role", "assistant");
        output.putArray("content").addObject().put("type", "output_text").put("text", text);
        response.putObject("usage").put("total_tokens", 12).put("input_tokens", 9).put("output_tokens", 3);
        return json(event);
    }

    /** A whole text answer: created, item and part added, the deltas, then the done events. */
    static List<String> textResponse(String responseId, String itemId, List<String> deltas) {
        String text = String.join("", deltas);
        List<String> events = new ArrayList<>();
        events.add(responseCreated(responseId));
        events.add(outputItemAdded(responseId, itemId));
        events.add(contentPartAdded(responseId, itemId));
        deltas.forEach(delta -> events.add(outputTextDelta(responseId, itemId, delta)));
        events.add(outputTextDone(responseId, itemId, text));
        events.add(contentPartDone(responseId, itemId, text));
        events.add(outputItemDone(responseId, itemId, text));
        events.add(responseDone(responseId, itemId, text));
        return events;
    }

    /** The provider's answer to a client event it does not know. */
    static String unknownEventError(String type) {
        ObjectNode event = event("error");
        event.putObject("error").put("type", "invalid_request_error").put("code", "invalid_value")
                .put("message", "Invalid value: '" + type + "'.");
        return json(event);
    }

    /** A client {@code response.create} for a text answer. */
    static String responseCreate() {
        ObjectNode event = MAPPER.createObjectNode().put("type", "response.create");
        event.putObject("response").putArray("output_modalities").add("text");
        return json(event);
    }

    /** A client {@code session.update} setting instructions. */
    static String sessionUpdate(String instructions) {
        ObjectNode event = MAPPER.createObjectNode().put("type", "session.update");
        event.putObject("session").put("type", "realtime").put("instructions", instructions);
        return json(event);
    }

    /** The {@code type} of a JSON event, read the plain way (test side). */
    static String typeOf(String json) {
        try {
            return MAPPER.readTree(json).path("type").asText("");
        } catch (JsonProcessingException e) {
            return "";
        }
    }
}
