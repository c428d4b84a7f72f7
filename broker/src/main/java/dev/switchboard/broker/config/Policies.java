package dev.switchboard.broker.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * Content policies (issue 14): rules applied to what clients send (input) and to the deltas a provider streams
 * back (output), before the other side sees them. Bound like the rest of {@link BrokerConfig}; see
 * {@code docs/policy.md}.
 */
public final class Policies {
    /** The default, and the largest useful, number of characters an output stream may hold back. */
    public static final int DEFAULT_HOLD_BACK_CHARS = 64;

    private Policies() {
    }

    /** What a rule looks for. */
    public enum Detect implements ConfigValues.Word {
        PII, REGEX, KEYWORDS
    }

    /** What a match does. */
    public enum Action implements ConfigValues.Word {
        /** Replace the match (by {@code [TYPE]} or the rule's {@code replacement}). */
        REDACT,
        /** Refuse the request (input) or stop the response (output); nothing of the match passes. */
        BLOCK,
        /** Let it pass; record and announce the match. */
        FLAG
    }

    /**
     * The personal data a {@code pii} rule can find; see {@code docs/policy.md} for each pattern. Written with
     * {@code _} ({@code credit_card}, {@code us_ssn}), the names redactions use ({@code [CREDIT_CARD]}).
     */
    public enum PiiType implements ConfigValues.Word {
        EMAIL, PHONE, CREDIT_CARD, IBAN, US_SSN;

        @Override
        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One named policy.
     *
     * @param input rules for the client's messages, before they reach a provider
     * @param output rules for streamed output, before the client sees it
     * @param holdBackChars the most characters of output held back while they could still become a match
     */
    public record Policy(List<Rule> input, List<Rule> output, int holdBackChars) {
        public Policy {
            input = List.copyOf(input);
            output = List.copyOf(output);
        }

        @JsonCreator
        static Policy bind(@JsonProperty("input") @Nullable List<@Nullable Rule> input,
                           @JsonProperty("output") @Nullable List<@Nullable Rule> output,
                           @JsonProperty("hold_back_chars") @Nullable Long holdBackChars) {
            List<Rule> in = BrokerConfig.present(input, "input");
            List<Rule> out = BrokerConfig.present(output, "output");
            ConfigRule.require(!in.isEmpty() || !out.isEmpty(), "input", "or output: a policy needs at least one rule");
            return new Policy(in, out, (int) ConfigRule.between(
                    BrokerConfig.or(holdBackChars, (long) DEFAULT_HOLD_BACK_CHARS), 1, 4096, "hold_back_chars"));
        }
    }

    /**
     * One rule.
     *
     * @param detect what it looks for
     * @param name the rule's name in audit records and errors (defaults: {@code pii}, the pattern, {@code keywords})
     * @param types for {@code pii}: which kinds of personal data
     * @param pattern for {@code regex}: a Java regular expression
     * @param words for {@code keywords}: whole words or phrases, matched case-insensitively
     * @param action what a match does
     * @param replacement for {@code redact}: the text put in place of a match; empty means {@code [TYPE]}
     */
    public record Rule(Detect detect, String name, List<PiiType> types, String pattern, List<String> words,
                       Action action, Optional<String> replacement) {
        public Rule {
            types = List.copyOf(types);
            words = List.copyOf(words);
        }

        @JsonCreator
        static Rule bind(@JsonProperty("detect") @Nullable Detect detect,
                         @JsonProperty("name") @Nullable String name,
                         @JsonProperty("types") @Nullable List<@Nullable PiiType> types,
                         @JsonProperty("pattern") @Nullable String pattern,
                         @JsonProperty("words") @Nullable List<@Nullable String> words,
                         @JsonProperty("action") @Nullable Action action,
                         @JsonProperty("replacement") @Nullable String replacement) {
            if (detect == null) {
                throw ConfigRule.of("detect", "is required (one of " + ConfigValues.words(Detect.class) + ")");
            }
            if (action == null) {
                throw ConfigRule.of("action", "is required (one of " + ConfigValues.words(Action.class) + ")");
            }
            List<PiiType> typeList = BrokerConfig.present(types, "types");
            List<String> wordList = BrokerConfig.present(words, "words");
            ConfigRule.require((detect == Detect.PII) == !typeList.isEmpty(), "types",
                    detect == Detect.PII ? "must list at least one of " + ConfigValues.words(PiiType.class)
                            : "applies only to detect: pii");
            ConfigRule.require((detect == Detect.REGEX) == (pattern != null), "pattern",
                    detect == Detect.REGEX ? "is required for detect: regex" : "applies only to detect: regex");
            ConfigRule.require((detect == Detect.KEYWORDS) == !wordList.isEmpty(), "words",
                    detect == Detect.KEYWORDS ? "must list at least one word" : "applies only to detect: keywords");
            ConfigRule.require(wordList.stream().noneMatch(String::isBlank), "words", "must not contain an empty word");
            ConfigRule.require(replacement == null || action == Action.REDACT, "replacement",
                    "applies only to action: redact");
            if (pattern != null) {
                try {
                    ConfigRule.require(!Pattern.compile(pattern).matcher("").matches(), "pattern",
                            "must not match the empty string");
                } catch (PatternSyntaxException e) {
                    throw ConfigRule.of("pattern", "is not a valid regular expression: " + e.getDescription()
                            + " near index " + e.getIndex());
                }
            }
            String defaultName = switch (detect) {
                case PII -> "pii";
                case REGEX -> pattern;
                case KEYWORDS -> "keywords";
            };
            return new Rule(detect, name == null ? defaultName : name, typeList, pattern == null ? "" : pattern,
                    wordList, action, Optional.ofNullable(replacement));
        }
    }
}
