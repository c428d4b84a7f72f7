package dev.switchboard.broker.transport.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TextAssemblerTest {
    private static final int LIMIT = 1024;
    private static final String TOO_LARGE = "<too large>";

    private final List<String> out = new ArrayList<>();
    private final TextAssembler assembler = new TextAssembler(LIMIT, out::add, () -> out.add(TOO_LARGE));

    @Test
    void a_message_in_one_piece_is_handed_on_as_the_same_string() {
        String message = "{\"type\":\"response.create\"}";
        assembler.accept(message, true);
        assertEquals(1, out.size());
        assertSame(message, out.get(0));
    }

    @Test
    void pieces_are_joined_in_order_and_handed_on_only_with_the_last() {
        assembler.accept("{\"type\":", false);
        assembler.accept("", false);
        assembler.accept("\"x\"", false);
        assertTrue(out.isEmpty());
        assembler.accept("}", true);
        assertEquals(List.of("{\"type\":\"x\"}"), out);
    }

    @Test
    void the_limit_counts_utf8_bytes_and_a_message_exactly_at_it_passes() {
        assembler.accept("\u00e9".repeat(LIMIT / 4), false);
        assembler.accept("\u00e9".repeat(LIMIT / 4), true);
        assembler.accept("\u00e9".repeat(LIMIT / 4), false);
        assembler.accept("\u00e9".repeat(LIMIT / 4) + "x", true);
        assertEquals(List.of("\u00e9".repeat(LIMIT / 2), TOO_LARGE), out);
    }

    @Test
    void a_message_in_one_piece_over_the_limit_in_utf8_bytes_is_too_large() {
        assembler.accept("\ud83d\ude00".repeat(LIMIT / 4), true);
        assembler.accept("\ud83d\ude00".repeat(LIMIT / 4 + 1), true);
        assertEquals(List.of("\ud83d\ude00".repeat(LIMIT / 4), TOO_LARGE), out);
    }

    @Test
    void an_oversize_message_gets_one_refusal_after_its_last_piece_and_the_next_message_is_whole() {
        for (int i = 0; i < 100; i++) {
            assembler.accept("y".repeat(100), false);
        }
        assertTrue(out.isEmpty(), "nothing before the last piece");
        assembler.accept("y", true);
        assembler.accept("{\"a\":", false);
        assembler.accept("1}", true);
        assertEquals(List.of(TOO_LARGE, "{\"a\":1}"), out);
    }

    @Test
    void a_handler_sees_the_assembler_already_reset_for_the_next_message() {
        List<String> seen = new ArrayList<>();
        TextAssembler[] self = new TextAssembler[1];
        self[0] = new TextAssembler(LIMIT, message -> {
            seen.add(message);
            if (seen.size() == 1) {
                self[0].accept("next", true);  // as if Jetty delivered the next message at once
            }
        }, () -> seen.add(TOO_LARGE));
        self[0].accept("fir", false);
        self[0].accept("st", true);
        assertEquals(List.of("first", "next"), seen);
        assertFalse(seen.contains(TOO_LARGE));
    }

    @Test
    void utf8_length_counts_one_to_four_bytes_per_code_point_and_stops_above_the_limit() {
        assertEquals(1 + 2 + 3 + 4, TextAssembler.utf8Length("a\u00e9\u2713\ud83d\ude00", 100));
        assertTrue(TextAssembler.utf8Length("\u2713".repeat(1000), 10) > 10);
        assertTrue(TextAssembler.fitsUtf8("\u2713".repeat(10), 30));
        assertFalse(TextAssembler.fitsUtf8("\u2713".repeat(10), 29));
    }
}
