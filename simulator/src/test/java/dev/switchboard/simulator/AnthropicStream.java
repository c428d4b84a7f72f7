package dev.switchboard.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * An Anthropic streamed body split into its events. Parsing asserts the framing: nothing but
 * {@code event: NAME\ndata: JSON\n\n} events whose data {@code type} equals the event name.
 *
 * @param events every event, in order
 */
record AnthropicStream(List<Event> events) {

    /** @param name the SSE event name; @param data its JSON payload */
    record Event(String name, JsonNode data) {
    }

    static AnthropicStream parse(String body) throws Exception {
        List<Event> events = new ArrayList<>();
        int at = 0;
        while (at < body.length()) {
            int end = body.indexOf("\n\n", at);
            assertTrue(end > 0, "event must end with a blank line at offset " + at);
            String[] lines = body.substring(at, end).split("\n");
            assertEquals(2, lines.length, "an event is one event line and one data line");
            assertTrue(lines[0].startsWith("event: ") && lines[1].startsWith("data: "), body.substring(at, end));
            String name = lines[0].substring("event: ".length());
            JsonNode data = SimulatorHttpClient.JSON.readTree(lines[1].substring("data: ".length()));
            assertEquals(name, data.path("type").asText(), "data type matches the event name");
            events.add(new Event(name, data));
            at = end + 2;
        }
        return new AnthropicStream(List.copyOf(events));
    }

    List<String> names() {
        return events.stream().map(Event::name).toList();
    }

    List<JsonNode> deltas() {
        return events.stream().filter(e -> e.name().equals("content_block_delta")).map(Event::data).toList();
    }

    /** Concatenated {@code text_delta} texts (or {@code input_json_delta} fragments). */
    String text() {
        StringBuilder text = new StringBuilder();
        for (JsonNode delta : deltas()) {
            JsonNode d = delta.path("delta");
            text.append(d.has("text") ? d.path("text").asText() : d.path("partial_json").asText());
        }
        return text.toString();
    }

    JsonNode first(String name) {
        return events.stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow().data();
    }
}
