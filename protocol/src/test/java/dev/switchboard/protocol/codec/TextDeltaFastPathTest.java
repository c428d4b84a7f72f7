package dev.switchboard.protocol.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.protocol.event.ResponseOutputTextDelta;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TextDeltaFastPathTest {
    private static final EventCodec CODEC = EventCodec.create();

    @ParameterizedTest
    @ValueSource(strings = {"plain", " the", "quote \" and backslash \\", "line\nbreak\ttab\r", "\u0000\u001f control",
        "unicode é ü 中文", "emoji \uD83D\uDE00", "</script>", ""})
    void the_hand_written_delta_encoding_equals_data_binding(String text) throws Exception {
        ResponseOutputTextDelta delta = new ResponseOutputTextDelta("resp_1", "item_\"2", 3, 0, text);
        JsonNode fast = CODEC.mapper().readTree(CODEC.encodeServer(delta, "event_9", 42));
        ObjectNode bound = (ObjectNode) CODEC.mapper().readTree(CODEC.encodeServer(delta));
        bound.put("event_id", "event_9");
        bound.put("seq", 42);
        assertEquals(bound, fast);
        assertEquals(text, fast.get("delta").asText());
    }
}
