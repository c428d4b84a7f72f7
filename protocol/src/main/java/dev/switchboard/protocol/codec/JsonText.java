package dev.switchboard.protocol.codec;

/**
 * Writes a JSON string literal exactly as the codec's Jackson configuration writes it, for the per-token frames
 * that are built from a template instead of by Jackson (issue 12): {@code "} and the backslash escaped, the
 * control characters as {@code \b \t \n \f \r} or a six-character escape with upper-case hex digits, everything
 * else, non-ASCII and lone surrogates included, as it is. Stateless and thread-safe.
 */
public final class JsonText {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private JsonText() {
    }

    /** Appends {@code value} as a quoted JSON string. */
    public static StringBuilder appendQuoted(StringBuilder out, String value) {
        out.append('"');
        int length = value.length();
        int plainFrom = 0;
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') {
                continue;
            }
            out.append(value, plainFrom, i);
            appendEscape(out, c);
            plainFrom = i + 1;
        }
        return out.append(value, plainFrom, length).append('"');
    }

    private static void appendEscape(StringBuilder out, char c) {
        switch (c) {
            case '"' -> out.append("\\\"");
            case '\\' -> out.append("\\\\");
            case '\b' -> out.append("\\b");
            case '\t' -> out.append("\\t");
            case '\n' -> out.append("\\n");
            case '\f' -> out.append("\\f");
            case '\r' -> out.append("\\r");
            default -> out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
        }
    }
}
