package dev.switchboard.broker.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.RealtimeClient;
import java.nio.ByteBuffer;
import java.util.List;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.common.WebSocketSession;
import org.eclipse.jetty.websocket.core.OpCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * One focused regression test per defect the abuse suite found in the broker (issue 10), each with the exact input
 * and what the docs say must happen. All are fixed; {@link KnownDefects} lists none any more. A new defect the
 * fuzzers find gets a test here (disabled, naming the issue, until fixed) and a flag there so the suite stays green.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class KnownDefectsTest {
    private static AbuseBroker broker;
    private static Documented docs;

    /** Started by the first test that runs, so a class whose tests are all disabled starts nothing. */
    private static synchronized AbuseBroker broker() throws Exception {
        if (broker == null) {
            docs = Documented.load();
            broker = AbuseBroker.start();
        }
        return broker;
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void audio_input_on_a_text_model_is_refused_with_a_documented_code() throws Exception {
        JsonNode error = onlyError(AbuseBroker.BRIDGED,
                "{\"type\":\"input_audio_buffer.append\",\"event_id\":\"evt_audio\",\"audio\":\"AAAA\"}");
        assertTrue(docs.errorCodes().contains(error.path("code").asText()), () -> error + " is not in " + docs);
    }

    @Test
    void decoding_errors_name_the_field_without_java_or_jackson_internals() throws Exception {
        List<String> frames = List.of(
                "{\"type\":\"response.cancel\"}{\"type\":\"x\"}",
                "{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"message\"",
                "{\"type\":\"session.update\",\"session\":{\"instructions\":[\"x\"]}}",
                "{\"type\":\"conversation.item.create\",\"item\":5}",
                "{\"type\":\"response.create\",\"response\":{\"metadata\":{\"k\":1.5}}}",
                "{\"type\":\"response.cancel\",\"x\":" + "[".repeat(1001) + "]".repeat(1001) + "}");
        for (String frame : frames) {
            String message = onlyError(AbuseBroker.BRIDGED, frame).path("message").asText();
            for (String internal : Verdicts.INTERNALS) {
                assertTrue(!message.contains(internal), () -> "'" + message + "' shows " + internal);
            }
        }
    }

    @Test
    void a_null_type_gets_the_documented_code_on_a_relayed_session_too() throws Exception {
        String frame = "{\"type\":null,\"event_id\":\"evt_null\"}";
        assertEquals("missing_required_parameter", onlyError(AbuseBroker.BRIDGED, frame).path("code").asText());
        JsonNode relayed = onlyError(AbuseBroker.RELAYED, frame);
        assertEquals("missing_required_parameter", relayed.path("code").asText(), relayed::toString);
        assertEquals("type", relayed.path("param").asText(), relayed::toString);
    }

    @Test
    void a_type_that_is_an_object_or_array_gets_invalid_value_on_a_relayed_session_too() throws Exception {
        for (String frame : List.of("{\"type\":{}}", "{\"type\":[\"response.create\"]}",
                "{\"type\":{\"type\":\"response.create\"}}")) {
            assertEquals("invalid_value", onlyError(AbuseBroker.BRIDGED, frame).path("code").asText());
            JsonNode relayed = onlyError(AbuseBroker.RELAYED, frame);
            assertEquals("invalid_value", relayed.path("code").asText(), () -> frame + " -> " + relayed);
            assertEquals("type", relayed.path("param").asText(), () -> frame + " -> " + relayed);
        }
    }

    @Test
    void a_broken_frame_with_a_bad_event_id_gets_invalid_json_on_a_relayed_session_too() throws Exception {
        String frame = "{\"event_id\":5,\"type\":\"response.cancel\"";
        assertEquals("invalid_json", onlyError(AbuseBroker.BRIDGED, frame).path("code").asText());
        JsonNode relayed = onlyError(AbuseBroker.RELAYED, frame);
        assertEquals("invalid_json", relayed.path("code").asText(), relayed::toString);
    }

    @Test
    void a_duplicated_event_id_is_read_the_same_way_by_bridged_and_relayed_sessions() throws Exception {
        String frame = "{\"type\":\"response.cancel\",\"event_id\":5,\"event_id\":\"evt_dup\"}";
        JsonNode bridged = onlyError(AbuseBroker.BRIDGED, frame);
        JsonNode relayed = onlyError(AbuseBroker.RELAYED, frame);
        assertEquals(bridged.path("code").asText(), relayed.path("code").asText(),
                () -> "bridged " + bridged + " but relayed " + relayed);
    }

    @Test
    void a_text_frame_that_is_not_utf8_closes_with_a_documented_close_code() throws Exception {
        for (String model : List.of(AbuseBroker.BRIDGED, AbuseBroker.RELAYED)) {
            RealtimeClient client = broker().connect(model, AbuseBroker.ABUSE_KEY);
            try {
                client.next();
                byte[] notUtf8 = {'{', (byte) 0xC3, (byte) 0x28, '}'};
                ((WebSocketSession) client.session()).getCoreSession().sendFrame(
                        new org.eclipse.jetty.websocket.core.Frame(OpCode.TEXT, ByteBuffer.wrap(notUtf8)),
                        Callback.NOOP, false);
                int code = client.awaitClose();
                assertTrue(docs.closeCodes().contains(code), () -> model + " closed with " + code
                        + ", not in docs/protocol.md's Close codes " + docs.closeCodes());
            } finally {
                client.close();
            }
        }
    }

    @Test
    void broker_vad_milliseconds_beyond_the_int_range_are_refused_not_truncated() throws Exception {
        // 4294967306 is 2^32 + 10: JsonNode.asInt() makes it 10, inside the 10..10000 range.
        JsonNode error = onlyError(AbuseBroker.RELAYED, "{\"type\":\"session.update\",\"event_id\":\"evt_vad\","
                + "\"session\":{\"type\":\"realtime\",\"switchboard\":{\"broker_vad\":{\"enabled\":true,"
                + "\"silence_ms\":4294967306}}}}");
        assertEquals("invalid_value", error.path("code").asText(), error::toString);
        assertEquals("session.switchboard.broker_vad", error.path("param").asText(), error::toString);
    }

    /** The {@code error} object of the one error event {@code frame} gets on a fresh session of {@code model}. */
    private static JsonNode onlyError(String model, String frame) throws Exception {
        try (FuzzSession session = FuzzSession.open(broker(), model)) {
            List<JsonNode> window = session.exchange(Frame.text("regression", frame, Frame.Expect.either()));
            List<JsonNode> errors = window.stream().filter(e -> e.path("type").asText().equals("error")).toList();
            assertEquals(1, errors.size(), () -> model + ": expected one error for " + frame + " but got " + window);
            return errors.get(0).path("error");
        }
    }
}
