package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The JSON of one kind of delta event of one response part ({@code response.output_text.delta} and the like),
 * serialised once: per delta only the delta's JSON string literal and the {@code event_id} are appended, so the
 * token hot path copies strings instead of building a tree. With {@code stamp} ({@code sim_stamp}) every token
 * delta starts with {@code [[t=MICROS]]}, the wall clock just before the frame is built. Immutable.
 */
final class DeltaTemplate {

    private final String prefix;
    private final boolean stamp;

    /** @param fields the event's fields other than {@code delta} and {@code event_id}, starting with {@code type} */
    DeltaTemplate(ObjectNode fields, boolean stamp) {
        String json = fields.toString();
        this.prefix = json.substring(0, json.length() - 1) + ",\"delta\":";
        this.stamp = stamp;
    }

    /** The frame for {@code token}'s text. */
    String frame(Token token, String eventId) {
        String literal = new String(token.jsonUtf8(), StandardCharsets.UTF_8);
        if (stamp) {
            literal = "\"[[t=" + epochMicros() + "]]" + literal.substring(1);
        }
        return frame(literal, eventId);
    }

    /** The frame for a delta that is already a JSON string literal, quotes included (never stamped). */
    String frame(String deltaLiteral, String eventId) {
        return prefix + deltaLiteral + ",\"event_id\":\"" + eventId + "\"}";
    }

    private static long epochMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }
}
