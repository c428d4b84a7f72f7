package dev.switchboard.bridge.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonFactory;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link EventType}: the top-level {@code type}, read without building a tree. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RelayEventTypeTest {
    private static final JsonFactory JSON = new JsonFactory();

    @Test
    void the_type_is_found_wherever_it_stands_among_the_top_level_fields() {
        assertEquals("response.done", EventType.of(JSON, "{\"type\":\"response.done\",\"response\":{}}"));
        assertEquals("response.done", EventType.of(JSON, "{\"event_id\":\"e1\",\"type\":\"response.done\"}"));
        assertEquals("response.done",
                EventType.of(JSON, "{\"response\":{\"output\":[{\"a\":[1,{}]}]},\"type\":\"response.done\"}"));
    }

    @Test
    void a_nested_type_is_never_taken_for_the_events() {
        String json = "{\"event_id\":\"e1\",\"item\":{\"type\":\"message\",\"content\":[{\"type\":\"output_text\"}]},"
                + "\"type\":\"conversation.item.done\"}";

        assertEquals("conversation.item.done", EventType.of(JSON, json));
        assertEquals("", EventType.of(JSON, "{\"item\":{\"type\":\"message\"}}"));
    }

    @Test
    void a_large_value_before_the_type_is_skipped() {
        String json = "{\"delta\":\"" + "A".repeat(500_000) + "\",\"type\":\"response.output_audio.delta\"}";

        assertEquals("response.output_audio.delta", EventType.of(JSON, json));
    }

    @Test
    void text_after_the_type_is_not_read_so_it_need_not_be_valid() {
        assertEquals("x.partial", EventType.of(JSON, "{\"type\":\"x.partial\", \"rest\": [nonsense"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "null", "[]", "[{\"type\":\"a\"}]", "\"type\"", "{}", "{\"type\":7}",
        "{\"type\":null}", "{\"type\":{\"name\":\"a\"}}", "{\"a\":", "not json", "{\"a\":1,"})
    void anything_without_a_top_level_string_type_has_an_empty_type(String json) {
        assertEquals("", EventType.of(JSON, json));
    }
}
