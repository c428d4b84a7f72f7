package dev.switchboard.broker.abuse;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;

/**
 * The {@code seq} invariant: every server event of a session carries {@code seq} 1, 2, 3… with no gap and no
 * repeat. Connection-level events ({@code session.resumed}, {@code switchboard.reconnect}, a resume refusal's
 * {@code error}) carry none and are skipped.
 */
final class SeqCheck {
    private static final Set<String> CONNECTION_LEVEL = Set.of("session.resumed", "switchboard.reconnect", "error");

    private SeqCheck() {
    }

    /** Throws an {@link AssertionError} naming the first frame that breaks the sequence. */
    static void gapFree(List<JsonNode> frames) {
        long expected = 1;
        for (JsonNode frame : frames) {
            JsonNode seq = frame.get("seq");
            if (seq == null && CONNECTION_LEVEL.contains(frame.path("type").asText())) {
                continue;
            }
            if (seq == null || !seq.isIntegralNumber()) {
                throw new AssertionError("server event without an integer seq: " + abbreviate(frame));
            }
            if (seq.asLong() != expected) {
                throw new AssertionError("seq " + (seq.asLong() > expected ? "gap" : "repeat") + ": expected "
                        + expected + " but got " + seq.asLong() + " on " + abbreviate(frame));
            }
            expected++;
        }
    }

    static String abbreviate(JsonNode frame) {
        String text = frame.toString();
        return text.length() <= 400 ? text : text.substring(0, 400) + "… (" + text.length() + " chars)";
    }
}
