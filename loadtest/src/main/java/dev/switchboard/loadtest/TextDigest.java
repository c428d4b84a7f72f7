package dev.switchboard.loadtest;

/**
 * A running digest of text that composes over concatenation: the digest of {@code a + b} can be computed from the
 * digests of {@code a} and {@code b}. So the harness can compare the deltas of a response, received in pieces and
 * across reconnects, with the full text the broker sends at the end, without ever building a {@code String}.
 *
 * <p>It is a polynomial hash modulo 2<sup>64</sup> over UTF-16 chars ({@code h = h × B + c}), plus the length:
 * {@code digest(a + b) = digest(a) × B^len(b) + digest(b)}. It detects accidental differences (a lost, repeated
 * or altered delta); it is not meant to resist a crafted collision. Mutable and not thread-safe: each owner uses
 * its own.
 */
final class TextDigest {
    /** An odd multiplier (the 64-bit FNV prime), so that every power of it is odd and nothing cancels out. */
    private static final long BASE = 0x100000001b3L;

    private long hash;
    /** {@code BASE^length}, kept so that this digest can be appended to another. */
    private long power = 1;
    private long length;

    /** Forgets everything: the digest of the empty text. */
    void reset() {
        hash = 0;
        power = 1;
        length = 0;
    }

    /** Appends {@code chars[offset, offset + count)}. */
    void add(char[] chars, int offset, int count) {
        long h = hash;
        long p = power;
        for (int i = offset; i < offset + count; i++) {
            h = h * BASE + chars[i];
            p *= BASE;
        }
        hash = h;
        power = p;
        length += count;
    }

    /** Appends {@code text}. */
    void add(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            hash = hash * BASE + text.charAt(i);
            power *= BASE;
        }
        length += text.length();
    }

    /** Appends the text that {@code other} digests. */
    void add(TextDigest other) {
        hash = hash * other.power + other.hash;
        power *= other.power;
        length += other.length;
    }

    /** Makes this a copy of {@code other}. */
    void copyOf(TextDigest other) {
        hash = other.hash;
        power = other.power;
        length = other.length;
    }

    /** Whether both digest the same text (up to the hash's collisions). */
    boolean sameAs(TextDigest other) {
        return hash == other.hash && length == other.length;
    }

    long hash() {
        return hash;
    }

    /** The text's length in UTF-16 chars. */
    long length() {
        return length;
    }
}
