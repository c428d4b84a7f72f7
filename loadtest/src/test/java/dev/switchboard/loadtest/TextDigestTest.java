package dev.switchboard.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TextDigestTest {

    private static TextDigest of(String text) {
        TextDigest digest = new TextDigest();
        char[] padded = ("##" + text + "##").toCharArray();
        digest.add(padded, 2, text.length());
        return digest;
    }

    @Test
    void pieces_appended_one_after_another_digest_like_the_whole_text() {
        TextDigest pieces = new TextDigest();
        for (String piece : new String[] {"The", " quick", " brown", " föx ✓", ""}) {
            pieces.add(of(piece));
        }
        assertTrue(pieces.sameAs(of("The quick brown föx ✓")));
        assertEquals("The quick brown föx ✓".length(), pieces.length());
    }

    @Test
    void a_lost_a_repeated_or_a_reordered_piece_changes_the_digest() {
        TextDigest whole = of("alpha beta gamma");
        TextDigest lost = of("alpha ");
        lost.add(of("gamma"));
        TextDigest repeated = of("alpha beta beta gamma");
        TextDigest reordered = of("beta alpha gamma");
        assertFalse(lost.sameAs(whole));
        assertFalse(repeated.sameAs(whole));
        assertFalse(reordered.sameAs(whole));
    }

    @Test
    void char_sequences_and_char_arrays_digest_alike_and_a_copy_is_the_same() {
        TextDigest fromSequence = new TextDigest();
        fromSequence.add("tokens");
        TextDigest copy = new TextDigest();
        copy.copyOf(fromSequence);
        assertTrue(fromSequence.sameAs(of("tokens")));
        assertTrue(copy.sameAs(fromSequence));
        copy.reset();
        assertTrue(copy.sameAs(new TextDigest()));
    }
}
