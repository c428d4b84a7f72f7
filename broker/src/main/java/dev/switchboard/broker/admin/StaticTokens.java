package dev.switchboard.broker.admin;

import dev.switchboard.broker.config.Admin;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The configured static bearer tokens, held only as SHA-256 digests (a heap dump or a log line never shows one).
 * A presented token is hashed and compared with every digest in constant time ({@link MessageDigest#isEqual}),
 * without stopping at a match, so the time taken tells nothing about which token, or how much of one, matched.
 * Immutable and thread-safe.
 */
final class StaticTokens {
    private record Entry(byte[] digest, Caller caller) {
    }

    private final List<Entry> entries;

    private StaticTokens(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** The tokens of {@code config}; a token without a name is called {@code tokens[i]}. */
    static StaticTokens of(List<Admin.Token> tokens) {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            Admin.Token token = tokens.get(i);
            String identity = token.name().orElse("tokens[" + i + "]");
            Caller caller = new Caller(identity, token.role() == Admin.Role.ADMIN, token.role() == Admin.Role.VIEWER,
                    token.tenant().map(Set::of).orElse(Set.of()));
            entries.add(new Entry(sha256(token.token()), caller));
        }
        return new StaticTokens(entries);
    }

    /** The caller whose token {@code presented} is, if any. */
    Optional<Caller> find(String presented) {
        byte[] digest = sha256(presented);
        Caller found = null;
        for (Entry entry : entries) {
            // Every entry is compared: no early exit on a match.
            if (MessageDigest.isEqual(entry.digest(), digest)) {
                found = entry.caller();
            }
        }
        return Optional.ofNullable(found);
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
