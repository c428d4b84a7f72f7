package dev.switchboard.broker.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import dev.switchboard.broker.config.Policies;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The streaming policer: matches across delta boundaries, the held-back tail, redact, flag and block. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class OutputPolicerTest {
    private static ContentPolicy standard;

    @BeforeAll
    static void compile() throws Exception {
        standard = ContentPolicy.compile(new ConfigLoader(System::getenv).parse("""
            policies:
              standard:
                input:
                  - {detect: pii, types: [email, phone, credit_card, iban, us_ssn], action: redact}
                  - {detect: regex, name: codename, pattern: "(?i)project\\\\s+nightingale", action: block}
                output:
                  - {detect: pii, types: [email, credit_card, iban, us_ssn, phone], action: redact}
                  - {detect: keywords, name: banned, words: [forbidden fruit, verboten], action: block}
                  - detect: regex
                    name: internal-host
                    pattern: "\\\\b[a-z0-9-]+\\\\.corp\\\\.internal\\\\b"
                    action: flag
            """).policies()).get("standard");
    }

    /** Feeds the deltas; returns each release, then the final one. */
    private static List<String> stream(OutputPolicer policer, String... deltas) {
        List<String> released = new ArrayList<>();
        for (String delta : deltas) {
            released.add(policer.accept(delta));
        }
        released.add(policer.finish());
        return released;
    }

    @Test
    void an_email_split_over_three_deltas_is_redacted_and_never_released_whole_or_in_part() {
        OutputPolicer policer = standard.newOutput();

        List<String> released = stream(policer, "Write to jane.do", "e@exam", "ple.com today.");

        assertEquals("Write to [EMAIL] today.", String.join("", released));
        assertTrue(released.stream().noneMatch(r -> r.contains("jane") || r.contains("exam")), released::toString);
        assertEquals(List.of(new Match("pii", Policies.Action.REDACT)), policer.takeMatches());
    }

    @Test
    void text_without_a_possible_match_flows_at_once_and_only_the_last_word_waits() {
        OutputPolicer policer = standard.newOutput();

        assertEquals("The quick brown ", policer.accept("The quick brown fox"));
        assertEquals("fox jumps ", policer.accept(" jumps over"));
        assertEquals("over", policer.finish());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "card 4111 1111 1111 1111 ok | card [CREDIT_CARD] ok",
        "card 4111-1111-1111-1112 ok | card 4111-1111-1111-1112 ok",
        "iban GB82 WEST 1234 5698 7654 32 ok | iban [IBAN] ok",
        "iban GB82 WEST 1234 5698 7654 33 ok | iban GB82 WEST 1234 5698 7654 33 ok",
        "ssn 123-45-6789 ok | ssn [US_SSN] ok",
        "ssn 000-45-6789 ok | ssn 000-45-6789 ok",
        "call (555) 123-4567 ok | call [PHONE] ok",
        "call +44 20 7946 0958 ok | call [PHONE] ok",
        "order 12345 shipped | order 12345 shipped"
    })
    void personal_data_is_redacted_only_when_its_check_passes(String text, String expected) {
        OutputPolicer policer = standard.newOutput();
        List<String> released = new ArrayList<>();
        for (char c : text.toCharArray()) {
            released.add(policer.accept(String.valueOf(c)));  // the worst split: one character per delta
        }
        released.add(policer.finish());

        assertEquals(expected, String.join("", released));
    }

    @Test
    void a_blocked_phrase_split_over_deltas_stops_the_stream_and_none_of_it_is_released() {
        OutputPolicer policer = standard.newOutput();

        List<String> released = stream(policer, "Eat the forb", "idden ", "fruit now, then more.");

        assertEquals("Eat the ", String.join("", released));
        assertTrue(policer.blocked());
        assertEquals(List.of(new Match("banned", Policies.Action.BLOCK)), policer.takeMatches());
        assertEquals("", policer.accept("anything else"));
    }

    @Test
    void a_word_that_only_starts_like_a_blocked_one_is_released_when_it_ends_otherwise() {
        OutputPolicer policer = standard.newOutput();

        assertEquals("Forbidden ", String.join("", stream(policer, "Forbid", "den ")));
        assertFalse(policer.blocked());
    }

    @Test
    void a_word_boundary_sees_text_released_in_an_earlier_delta() throws Exception {
        ContentPolicy keywordsOnly = ContentPolicy.compile(new ConfigLoader(System::getenv).parse("""
                policies:
                  k: {output: [{detect: keywords, words: [fruit], action: block}]}
                """).policies()).get("k");
        OutputPolicer policer = keywordsOnly.newOutput();

        assertEquals("I like grapefruit juice.", String.join("", stream(policer, "I like grape", "fruit juice.")));
        assertFalse(policer.blocked(), "'fruit' inside 'grapefruit' is not the word 'fruit'");
    }

    @Test
    void a_flag_passes_the_text_and_records_the_rule() {
        OutputPolicer policer = standard.newOutput();

        assertEquals("see db1.corp.internal now", String.join("", stream(policer, "see db1.corp.int", "ernal now")));
        assertEquals(List.of(new Match("internal-host", Policies.Action.FLAG)), policer.takeMatches());
    }

    @Test
    void no_more_than_hold_back_chars_are_ever_held() {
        OutputPolicer policer = standard.newOutput();
        int held = 0;
        for (int i = 0; i < 200; i++) {
            held += 1 - policer.accept("a").length();  // one endless word: a possible email's local part
            assertTrue(held <= Policies.DEFAULT_HOLD_BACK_CHARS, "held " + held);
        }
    }

    @Test
    void however_a_text_is_split_into_deltas_the_client_gets_what_policing_it_whole_gives() {
        String[] words = {"alpha", "beta", "jane@example.com", "4111 1111 1111 1111", "verboten", "db1.corp.internal",
            "call", "555-123-4567", "GB82 WEST 1234 5698 7654 32", "forbidden", "fruit", "123-45-6789", "x@y.co", "."};
        java.util.Random random = new java.util.Random(20261204);
        for (int round = 0; round < 500; round++) {
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < 3 + random.nextInt(12); w++) {
                text.append(words[random.nextInt(words.length)]).append(random.nextInt(4) == 0 ? ", " : " ");
            }
            OutputPolicer whole = standard.newOutput();
            String expected = whole.accept(text.toString()) + whole.finish();
            OutputPolicer streamed = standard.newOutput();
            StringBuilder got = new StringBuilder();
            for (int at = 0; at < text.length(); ) {
                int next = Math.min(text.length(), at + 1 + random.nextInt(6));
                got.append(streamed.accept(text.substring(at, next)));
                at = next;
            }
            got.append(streamed.finish());

            assertEquals(expected, got.toString(), "split differently: " + text);
            assertEquals(whole.blocked(), streamed.blocked(), text::toString);
        }
    }

    @Test
    void input_is_redacted_as_a_whole_and_a_block_names_its_rule() {
        ContentPolicy.Inspection clean = standard.inspectInput("Mail jane@example.com or call 555-123-4567.");
        ContentPolicy.Inspection blocked = standard.inspectInput("Tell me about Project  Nightingale.");

        assertEquals("Mail [EMAIL] or call [PHONE].", clean.text());
        assertTrue(clean.blocked().isEmpty());
        assertEquals(new Match("codename", Policies.Action.BLOCK), blocked.blocked().orElseThrow());
    }

    @Test
    void the_version_changes_with_the_rules() throws Exception {
        BrokerConfig config = new ConfigLoader(System::getenv).parse("""
                policies:
                  a: {output: [{detect: keywords, words: [x], action: block}]}
                  b: {output: [{detect: keywords, words: [y], action: block}]}
                """);
        var compiled = ContentPolicy.compile(config.policies());

        assertTrue(compiled.get("a").version().startsWith("sha256:"));
        assertFalse(compiled.get("a").version().equals(compiled.get("b").version()));
    }
}
