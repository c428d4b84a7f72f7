package dev.switchboard.broker.policy;

import dev.switchboard.broker.config.Policies;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One compiled content policy: its input and output rules, and its version — a hash of its canonical form, which
 * every audit record and notice names, so a record says exactly which rules were in force. Immutable and
 * thread-safe.
 */
public final class ContentPolicy {
    private final String name;
    private final String version;
    private final List<Detector> input;
    private final List<Detector> output;
    private final int holdBack;

    private ContentPolicy(String name, Policies.Policy policy) {
        this.name = name;
        this.version = version(name, policy);
        this.input = policy.input().stream().flatMap(rule -> Detector.of(rule).stream()).toList();
        this.output = policy.output().stream().flatMap(rule -> Detector.of(rule).stream()).toList();
        this.holdBack = policy.holdBackChars();
    }

    /** Every configured policy, compiled, by name. */
    public static Map<String, ContentPolicy> compile(Map<String, Policies.Policy> policies) {
        Map<String, ContentPolicy> compiled = new LinkedHashMap<>();
        policies.forEach((name, policy) -> compiled.put(name, new ContentPolicy(name, policy)));
        return Map.copyOf(compiled);
    }

    /** The policy's name in the configuration. */
    public String name() {
        return name;
    }

    /** {@code sha256:} and the first 16 hex digits of the hash of the policy's canonical form. */
    public String version() {
        return version;
    }

    /** Whether output is policed at all. */
    public boolean policesOutput() {
        return !output.isEmpty();
    }

    /** Whether input is policed at all. */
    public boolean policesInput() {
        return !input.isEmpty();
    }

    /** A policer for one output stream (one text item or one transcript). */
    public OutputPolicer newOutput() {
        return new OutputPolicer(output, holdBack);
    }

    /** Polices one piece of a request's input as a whole. */
    public Inspection inspectInput(String text) {
        if (input.isEmpty()) {
            return new Inspection(text, List.of(), Optional.empty());
        }
        OutputPolicer policer = new OutputPolicer(input, Integer.MAX_VALUE);
        String policed = policer.whole(text);
        List<Match> matches = policer.takeMatches();
        Optional<Match> block = policer.blocked() ? Optional.of(matches.get(matches.size() - 1)) : Optional.empty();
        return new Inspection(policed, matches, block);
    }

    /**
     * What input policing found.
     *
     * @param text the text with redactions applied (what the provider may receive when nothing blocked)
     * @param matches every rule that matched, in order
     * @param blocked the {@code block} rule that matched, if any: the request must be refused
     */
    public record Inspection(String text, List<Match> matches, Optional<Match> blocked) {
        public Inspection {
            matches = List.copyOf(matches);
        }
    }

    private static String version(String name, Policies.Policy policy) {
        StringBuilder canonical = new StringBuilder("policy ").append(name).append(" hold_back ")
                .append(policy.holdBackChars());
        for (String side : List.of("input", "output")) {
            for (Policies.Rule rule : side.equals("input") ? policy.input() : policy.output()) {
                canonical.append('\n').append(side).append(' ').append(rule.detect()).append(' ').append(rule.name())
                        .append(' ').append(rule.types()).append(' ').append(rule.pattern()).append(' ')
                        .append(rule.words()).append(' ').append(rule.action()).append(' ')
                        .append(rule.replacement().orElse(""));
            }
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(canonical.toString()
                    .getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
