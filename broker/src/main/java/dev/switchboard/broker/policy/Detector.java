package dev.switchboard.broker.policy;

import dev.switchboard.broker.config.Policies;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * One compiled thing to look for: a pattern, an optional check of each candidate (Luhn, IBAN checksum), and what a
 * match does.
 *
 * @param rule the rule's name, as audit records and errors name it
 * @param label what a redaction puts in place of a match
 * @param valid whether a candidate the pattern found really is a match
 */
record Detector(String rule, Pattern pattern, Predicate<String> valid, Policies.Action action, String label) {
    /** The detectors of one configured rule: one per PII type, else one. */
    static java.util.List<Detector> of(Policies.Rule rule) {
        return switch (rule.detect()) {
            case PII -> rule.types().stream().map(type -> new Detector(rule.name(), Pii.pattern(type),
                    Pii.validator(type), rule.action(), rule.replacement().orElse("[" + type.name() + "]"))).toList();
            case REGEX -> java.util.List.of(new Detector(rule.name(), Pattern.compile(rule.pattern()), m -> true,
                    rule.action(), rule.replacement().orElse("[" + label(rule.name()) + "]")));
            case KEYWORDS -> java.util.List.of(new Detector(rule.name(), keywords(rule.words()), m -> true,
                    rule.action(), rule.replacement().orElse("[" + label(rule.name()) + "]")));
        };
    }

    private static String label(String name) {
        return name.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]+", "_");
    }

    /** Whole words or phrases, case-insensitively; whitespace inside a phrase matches any run of whitespace. */
    private static Pattern keywords(java.util.List<String> words) {
        StringBuilder alternatives = new StringBuilder();
        for (String word : words) {
            if (!alternatives.isEmpty()) {
                alternatives.append('|');
            }
            String[] parts = word.trim().split("\\s+");
            for (int i = 0; i < parts.length; i++) {
                alternatives.append(i == 0 ? "" : "\\s+").append(Pattern.quote(parts[i]));
            }
        }
        return Pattern.compile("(?<![\\p{L}\\p{N}_])(?:" + alternatives + ")(?![\\p{L}\\p{N}_])",
                Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    }
}
