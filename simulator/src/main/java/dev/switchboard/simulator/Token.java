package dev.switchboard.simulator;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.util.Objects;

/**
 * One generated token: its text and its pre-escaped JSON string literal (quotes included, UTF-8), so the
 * streaming hot path copies bytes instead of escaping text for every chunk. Tokens are interned in the
 * vocabulary; generating a token allocates nothing.
 *
 * @param text     the token's text, e.g. {@code " stream"} or {@code ","}
 * @param jsonUtf8 {@code text} as a JSON string literal; callers must not modify the array
 */
record Token(String text, byte[] jsonUtf8) {

    Token {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(jsonUtf8, "jsonUtf8");
    }

    static Token of(String text) {
        byte[] escaped = JsonStringEncoder.getInstance().quoteAsUTF8(text);
        byte[] literal = new byte[escaped.length + 2];
        literal[0] = '"';
        System.arraycopy(escaped, 0, literal, 1, escaped.length);
        literal[literal.length - 1] = '"';
        return new Token(text, literal);
    }
}
