package dev.switchboard.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A streamed response body split into its server-sent events. Parsing asserts the framing itself: the body
 * must be nothing but {@code data: <payload>\n\n} events, ending with {@code data: [DONE]}.
 *
 * @param chunks every JSON chunk, in order ({@code [DONE]} excluded)
 */
record StreamedCompletion(List<JsonNode> chunks) {

    static StreamedCompletion parse(String body) throws Exception {
        List<JsonNode> chunks = new ArrayList<>();
        int at = 0;
        boolean done = false;
        while (at < body.length()) {
            assertTrue(!done, "nothing may follow data: [DONE]");
            assertTrue(body.startsWith("data: ", at), "event must start with 'data: ' at offset " + at);
            int end = body.indexOf("\n\n", at);
            assertTrue(end > 0, "event must end with a blank line");
            String payload = body.substring(at + "data: ".length(), end);
            assertTrue(payload.indexOf('\n') < 0, "one data line per event");
            if ("[DONE]".equals(payload)) {
                done = true;
            } else {
                chunks.add(SimulatorHttpClient.JSON.readTree(payload));
            }
            at = end + 2;
        }
        assertTrue(done, "stream must end with data: [DONE]");
        return new StreamedCompletion(List.copyOf(chunks));
    }

    /** The chunks that carry a content delta. */
    List<JsonNode> contentChunks() {
        List<JsonNode> content = new ArrayList<>();
        for (JsonNode chunk : chunks) {
            JsonNode delta = chunk.path("choices").path(0).path("delta");
            if (delta.has("content") && !delta.has("role")) {
                content.add(chunk);
            }
        }
        return content;
    }

    /** Concatenated content deltas. */
    String text() {
        StringBuilder text = new StringBuilder();
        for (JsonNode chunk : contentChunks()) {
            text.append(chunk.path("choices").path(0).path("delta").path("content").asText());
        }
        return text.toString();
    }

    /** The chunk whose choice carries a finish reason; asserts there is exactly one. */
    JsonNode finishChunk() {
        List<JsonNode> finished = new ArrayList<>();
        for (JsonNode chunk : chunks) {
            if (chunk.path("choices").path(0).path("finish_reason").isTextual()) {
                finished.add(chunk);
            }
        }
        assertEquals(1, finished.size(), "exactly one chunk carries a finish_reason");
        return finished.get(0);
    }

    String finishReason() {
        return finishChunk().path("choices").path(0).path("finish_reason").asText();
    }
}
