package dev.switchboard.protocol.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link EventCodec#peekClient}: frames relayed unchanged are still checked, without being decoded. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class PeekClientTest {
    private static final EventCodec CODEC = EventCodec.create();

    @Test
    void a_well_formed_event_passes_as_the_very_same_text_with_its_type_and_event_id() {
        String text = "{\"event_id\":\"e1\",\"audio\":\"" + "QUJD".repeat(10_000)
                + "\",\"type\":\"input_audio_buffer.append\",\"x\":{\"nested\":[1,{\"type\":\"inner\"}]}}";
        ClientDecoding.Raw raw = assertInstanceOf(ClientDecoding.Raw.class, CODEC.peekClient(text));
        assertEquals("input_audio_buffer.append", raw.type());
        assertEquals("e1", raw.eventId());
        assertSame(text, raw.text());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "not json|invalid_json",
        "[1,2]|invalid_json",
        "{\"type\":\"a\"} trailing|invalid_json",
        "{\"type\":\"a\"|invalid_json",
        "{\"event_id\":\"e\"}|missing_required_parameter",
        "{\"type\":\"\"}|invalid_value",
        "{\"type\":7}|invalid_value",
        "{\"type\":null}|missing_required_parameter",
        "{\"type\":{\"type\":\"a\"}}|invalid_value",
        "{\"type\":[\"a\"],\"x\":1}|invalid_value",
        "{\"type\":\"a\",\"event_id\":5}|invalid_value",
    })
    void malformed_frames_are_rejected_with_a_code(String text, String code) {
        ClientDecoding.Rejected rejected = assertInstanceOf(ClientDecoding.Rejected.class, CODEC.peekClient(text));
        assertEquals(code, rejected.error().code());
        // Relayed and bridged sessions answer the same malformed frame with the same code (issue 10).
        ClientDecoding.Rejected strict = assertInstanceOf(ClientDecoding.Rejected.class, CODEC.decodeClient(text));
        assertEquals(strict.error().code(), rejected.error().code(), text);
    }
}
