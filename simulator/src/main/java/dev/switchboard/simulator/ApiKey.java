package dev.switchboard.simulator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** The API key a simulator may require, compared in constant time. Immutable and thread-safe. */
final class ApiKey {

    private final Optional<byte[]> expected;

    ApiKey(Optional<String> key) {
        this.expected = key.map(k -> k.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether requests must present the key. */
    boolean required() {
        return expected.isPresent();
    }

    /** Whether {@code presented} is the key; always {@code true} when no key is required. */
    boolean accepts(@Nullable String presented) {
        if (expected.isEmpty()) {
            return true;
        }
        return presented != null
                && MessageDigest.isEqual(expected.get(), presented.getBytes(StandardCharsets.UTF_8));
    }
}
