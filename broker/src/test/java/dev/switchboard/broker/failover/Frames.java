package dev.switchboard.broker.failover;

import dev.switchboard.broker.RealtimeClient;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.stream.Collectors;

/** Reading server frames: one exchange, its text, its events of a type, its {@code response.done}. */
final class Frames {
    private Frames() {
    }

    /**
     * Adds a user message, asks for a response and returns every frame from the message's echo to
     * {@code response.done} inclusive. The caller has already taken {@code session.created}.
     */
    static List<JsonNode> ask(RealtimeClient client, String question, String metadata) throws InterruptedException {
        client.send(RealtimeClient.userMessage(question));
        client.until("conversation.item.done");
        client.send(RealtimeClient.responseCreate("evt_ask", metadata));
        return client.until("response.done");
    }

    /** The text of an uninterrupted run of the same request, in a fresh session on {@link Routes#DIRECT}. */
    static String reference(TestBroker broker, String question, String metadata) throws Exception {
        return reference(broker, Routes.DIRECT, question, metadata);
    }

    /** The text of a run of the same request in a fresh session on {@code model}, which must complete. */
    static String reference(TestBroker broker, String model, String question, String metadata) throws Exception {
        try (RealtimeClient client = broker.connect(model)) {
            client.next();
            List<JsonNode> frames = ask(client, question, metadata);
            assertEquals("completed", done(frames).path("status").asText(), () -> done(frames).toString());
            return text(frames);
        }
    }

    static List<JsonNode> ofType(List<JsonNode> frames, String type) {
        return frames.stream().filter(f -> f.path("type").asText().equals(type)).collect(Collectors.toList());
    }

    static List<String> types(List<JsonNode> frames) {
        return frames.stream().map(f -> f.path("type").asText()).collect(Collectors.toList());
    }

    /** Every text delta, concatenated. */
    static String text(List<JsonNode> frames) {
        return ofType(frames, "response.output_text.delta").stream().map(f -> f.path("delta").asText())
                .collect(Collectors.joining());
    }

    /** The text deltas of output item {@code outputIndex}, concatenated. */
    static String text(List<JsonNode> frames, int outputIndex) {
        return ofType(frames, "response.output_text.delta").stream()
                .filter(f -> f.path("output_index").asInt() == outputIndex)
                .map(f -> f.path("delta").asText()).collect(Collectors.joining());
    }

    /** The {@code response} object of the last {@code response.done}. */
    static JsonNode done(List<JsonNode> frames) {
        List<JsonNode> done = ofType(frames, "response.done");
        return done.get(done.size() - 1).path("response");
    }

    /** The single {@code switchboard.response.failover} event; fails when there is none or several. */
    static JsonNode onlyFailover(List<JsonNode> frames) {
        List<JsonNode> failovers = ofType(frames, "switchboard.response.failover");
        assertEquals(1, failovers.size(), () -> "failover events: " + failovers);
        return failovers.get(0);
    }

    /**
     * Asserts the frames hold exactly one response: one {@code response.created}, one {@code response.done}, and
     * every response event names that response. Returns its id.
     */
    static String assertSingleResponse(List<JsonNode> frames) {
        List<JsonNode> created = ofType(frames, "response.created");
        assertEquals(1, created.size(), () -> "response.created events: " + created);
        assertEquals(1, ofType(frames, "response.done").size(), "response.done events");
        String id = created.get(0).path("response").path("id").asText();
        for (JsonNode frame : frames) {
            if (frame.has("response_id")) {
                assertEquals(id, frame.path("response_id").asText(), () -> "event of another response: " + frame);
            }
        }
        assertEquals(id, done(frames).path("id").asText());
        return id;
    }

    /** The text of output item {@code index} as {@code response.done} reports it. */
    static String outputText(JsonNode response, int index) {
        return response.path("output").path(index).path("content").path(0).path("text").asText();
    }
}
