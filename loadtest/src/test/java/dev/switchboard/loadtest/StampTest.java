package dev.switchboard.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class StampTest {

    private static long parse(String text) {
        char[] chars = ("xx" + text).toCharArray();
        return Stamp.parse(chars, 2, text.length());
    }

    @Test
    void a_leading_marker_gives_the_stamp_in_micros_and_is_stripped() {
        assertEquals(1712345678901234L, parse("[[t=1712345678901234]] shipped"));
        assertEquals(" shipped", Stamp.strip("[[t=1712345678901234]] shipped"));
        assertEquals(7, parse("[[t=7]]"));
        assertEquals("", Stamp.strip("[[t=7]]"));
    }

    @Test
    void text_without_a_well_formed_leading_marker_has_no_stamp_and_stays_as_it_is() {
        for (String text : new String[] {"", "hello", "[[t=]]", "[[t=12]", "[[t=12x]]", " [[t=12]]", "[[T=12]]",
            "[[t=1234567890123456789]]"}) {
            assertEquals(Stamp.NONE, parse(text), text);
            assertEquals(text, Stamp.strip(text));
        }
    }

    @Test
    void only_the_leading_marker_counts() {
        assertEquals(5, parse("[[t=5]]a [[t=6]]"));
        assertEquals("a [[t=6]]", Stamp.strip("[[t=5]]a [[t=6]]"));
    }
}
