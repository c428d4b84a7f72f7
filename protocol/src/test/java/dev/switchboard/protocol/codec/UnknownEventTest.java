package dev.switchboard.protocol.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.protocol.event.ErrorDetail;
import dev.switchboard.protocol.event.UnknownClientEvent;
import dev.switchboard.protocol.event.UnknownServerEvent;
import java.util.Optional;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** Event types we do not model are kept as raw JSON so a relay can pass them on untouched. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class UnknownEventTest {
    private static final EventCodec CODEC = EventCodec.create();

    /** A GA client event we do not model, with nesting, numbers of several kinds and non-ASCII text. */
    private static final String AUDIO_APPEND = """
            {"type":"input_audio_buffer.append","event_id":"evt_audio_1","audio":"UklGRiQAAABXQVZFZm10IBAAAAAB",
             "x_extension":{"gain":0.75,"frames":[1,2,3],"big":123456789012345678901234567890,"flag":null,
             "label":"caf\\u00e9 \\ud83d\\ude00"}}
            """;

    /** A GA server event we do not model, as an upstream sends it (with its own event_id). */
    private static final String AUDIO_DELTA = """
            {"type":"response.output_audio.delta","event_id":"event_upstream_77","response_id":"resp_1",
             "item_id":"item_1","output_index":0,"content_index":0,"delta":"AAAAAP//AQA="}
            """;

    @Test
    void unknown_type_becomes_unknown_client_event() {
        UnknownClientEvent event = unknownClient(AUDIO_APPEND);

        assertEquals("input_audio_buffer.append", event.type());
        assertEquals("evt_audio_1", event.eventId());
        assertEquals(Golden.strictTree(AUDIO_APPEND), event.raw());
    }

    @Test
    void unknown_client_event_encodes_to_exactly_the_json_it_came_from() {
        UnknownClientEvent event = unknownClient(AUDIO_APPEND);

        assertEquals(Golden.strictTree(AUDIO_APPEND), Golden.strictTree(CODEC.encodeClient(event)));
    }

    @Test
    void unknown_type_is_not_checked_against_any_schema() {
        String frame = "{\"type\":\"session.update.v2\",\"session\":42,\"metadata\":{\"a\":1}}";

        UnknownClientEvent event = unknownClient(frame);

        assertEquals("", event.eventId());
        assertEquals(Golden.strictTree(frame), Golden.strictTree(CODEC.encodeClient(event)));
    }

    @Test
    void unknown_type_with_a_non_string_event_id_is_still_rejected() {
        ClientDecoding decoding = CODEC.decodeClient("{\"type\":\"input_audio_buffer.clear\",\"event_id\":5}");

        ErrorDetail error = assertInstanceOf(ClientDecoding.Rejected.class, decoding).error();
        assertEquals(EventCodec.INVALID_VALUE, error.code());
        assertEquals(Optional.of("event_id"), error.param());
    }

    @Test
    void unknown_client_event_keeps_its_own_copy_of_the_raw_json() {
        ObjectNode raw = (ObjectNode) Golden.strictTree(AUDIO_APPEND);
        UnknownClientEvent event = new UnknownClientEvent("evt_audio_1", "input_audio_buffer.append", raw);

        raw.put("audio", "changed");

        assertEquals("UklGRiQAAABXQVZFZm10IBAAAAAB", event.raw().get("audio").asText());
    }

    @Test
    void unknown_server_event_is_written_as_its_raw_json() {
        UnknownServerEvent event = unknownServer(AUDIO_DELTA);

        assertEquals(Golden.strictTree(AUDIO_DELTA), Golden.strictTree(CODEC.encodeServer(event)));
    }

    @Test
    void unknown_server_event_with_envelope_gets_the_broker_event_id_and_seq_once() {
        UnknownServerEvent event = unknownServer(AUDIO_DELTA);

        String wire = CODEC.encodeServer(event, "event_x", 7);

        // strictTree fails on a duplicate event_id key, which the upstream's own event_id would otherwise cause.
        ObjectNode expected = (ObjectNode) Golden.strictTree(AUDIO_DELTA);
        expected.put("event_id", "event_x");
        expected.put("seq", 7);
        assertEquals(expected, Golden.strictTree(wire));
        assertTrue(wire.endsWith(",\"event_id\":\"event_x\",\"seq\":7}"), wire);
    }

    @Test
    void unknown_server_event_drops_an_upstream_seq() {
        ObjectNode raw = (ObjectNode) Golden.strictTree(AUDIO_DELTA);
        raw.put("seq", 999);
        UnknownServerEvent event = new UnknownServerEvent("response.output_audio.delta", raw);

        assertEquals(Golden.strictTree(AUDIO_DELTA), Golden.strictTree(CODEC.encodeServer(event)));
        assertEquals(7, Golden.strictTree(CODEC.encodeServer(event, "event_x", 7)).get("seq").asInt());
        assertTrue(!Golden.strictTree(CODEC.encodeServer(event, "event_x", -1)).has("seq"));
    }

    @Test
    void client_reads_an_unknown_server_type_as_unknown_server_event_with_its_envelope() {
        UnknownServerEvent event = unknownServer(AUDIO_DELTA);
        String wire = CODEC.encodeServer(event, "event_x", 12);

        ServerFrame frame = CODEC.decodeServer(wire).orElseThrow();

        assertEquals("response.output_audio.delta", frame.type());
        assertEquals("event_x", frame.eventId());
        assertEquals(12, frame.seq());
        UnknownServerEvent decoded = assertInstanceOf(UnknownServerEvent.class, frame.event());
        assertEquals(Golden.strictTree(wire), decoded.raw());
    }

    @Test
    void client_reading_a_server_frame_that_is_not_an_event_gets_nothing() {
        for (String frame : new String[] {"", "nope", "[]", "{}", "{\"type\":3}", "{\"type\":\"response.done\"}",
            "{\"type\":\"response.output_text.delta\",\"output_index\":\"0\"}"}) {
            assertEquals(Optional.empty(), CODEC.decodeServer(frame), frame);
        }
    }

    private static UnknownClientEvent unknownClient(String frame) {
        ClientDecoding decoding = CODEC.decodeClient(frame);
        ClientDecoding.Decoded decoded = assertInstanceOf(ClientDecoding.Decoded.class, decoding, decoding::toString);
        return assertInstanceOf(UnknownClientEvent.class, decoded.event());
    }

    private static UnknownServerEvent unknownServer(String json) {
        JsonNode node = Golden.strictTree(json);
        return new UnknownServerEvent(node.get("type").asText(), (ObjectNode) node);
    }
}
