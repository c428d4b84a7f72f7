package dev.switchboard.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TextCheckTest {
    private final TextCheck check = new TextCheck();

    private static TextDigest text(String text) {
        TextDigest digest = new TextDigest();
        digest.add(text);
        return digest;
    }

    @Test
    void interrupted_responses_with_the_uninterrupted_text_of_their_turn_pass() {
        check.record(1, text("first answer"), false);
        check.record(1, text("first answer"), true);
        check.record(2, text("second answer"), true);
        check.record(2, text("second answer"), false);

        assertEquals(new TextCheck.Result(4, 0, 0), check.result());
    }

    @Test
    void an_interrupted_response_with_another_text_is_a_mismatch() {
        check.record(1, text("first answer"), false);
        check.record(1, text("first answer"), false);
        check.record(1, text("first answerfirst answer"), true);

        assertEquals(new TextCheck.Result(3, 1, 0), check.result());
    }

    @Test
    void the_majority_of_uninterrupted_responses_is_the_reference_and_a_dissenting_one_is_a_mismatch_too() {
        check.record(3, text("answer"), false);
        check.record(3, text("answer"), false);
        check.record(3, text("other"), false);

        assertEquals(new TextCheck.Result(3, 1, 0), check.result());
    }

    @Test
    void a_turn_that_only_interrupted_responses_completed_is_unverified() {
        check.record(1, text("first answer"), false);
        check.record(2, text("second answer"), true);
        check.record(2, text("second answer"), true);

        assertEquals(new TextCheck.Result(1, 0, 2), check.result());
    }
}
