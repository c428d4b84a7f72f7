package dev.switchboard.bridge.openai;

/**
 * The per-token path of {@link ChunkScanner} without a Jackson parser (issue 12: creating, running and releasing a
 * parser per chunk was about a tenth of the broker's CPU at the streaming peak). It reads the plain chunk every
 * provider streams — an object with {@code model}, {@code usage} and {@code choices[0].delta.content} or
 * {@code finish_reason}, any other fields skipped — and gives up on anything else: text that is not strict JSON,
 * an {@code error} or {@code tool_calls}, a choice that is not an object, a usage count that is not a small
 * integer, an escaped field name, deep nesting, anything after the object. Giving up is always safe: the caller
 * then scans the chunk with Jackson, which decides. So this never accepts what Jackson rejects, and what it accepts
 * it reads as {@link ChunkScanner}'s Jackson path does ({@code PlainChunkReaderTest} compares both).
 *
 * <p>Not thread-safe: one per scanner.
 */
final class PlainChunkReader {
    private static final int MAX_DEPTH = 32;
    /** Longer integers may not fit a long: Jackson's {@code getLongValue} decides those. */
    private static final int MAX_COUNT_DIGITS = 18;

    private String text = "";
    private int at;
    /** The last member name read by {@link #name()}: {@code text[nameStart, nameEnd)}, compared in place. */
    private int nameStart;
    private int nameEnd;
    private final StringBuilder unescaped = new StringBuilder();

    /** Reads {@code data} into {@code out}; false when it gave up (then {@code out}'s fields mean nothing). */
    boolean read(String data, ChunkScanner out) {
        text = data;
        at = 0;
        out.content = null;
        out.finishReason = null;
        out.model = null;
        out.hasUsage = false;
        out.needsTree = false;
        try {
            return readRoot(out);
        } catch (GiveUp e) {
            return false;
        } finally {
            text = "";
        }
    }

    private boolean readRoot(ChunkScanner out) {
        skipSpace();
        expect('{');
        if (!emptyObject()) {
            do {
                name();
                if (named("error")) {
                    requireLiteral("null");
                } else if (named("model")) {
                    out.model = model();
                } else if (named("usage")) {
                    readUsage(out);
                } else if (named("choices")) {
                    readChoices(out);
                } else {
                    skipValue(0);
                }
            } while (nextMember());
        }
        skipSpace();
        return at == text.length();
    }

    /**
     * The model, or null when it is not a string. Jackson's path does not step over a non-string model's members,
     * so an object or array there is given up on.
     */
    private String model() {
        char c = peek();
        if (c == '"') {
            return string();
        }
        if (c == '{' || c == '[') {
            throw GiveUp.INSTANCE;
        }
        skipValue(0);
        return null;
    }

    private void readUsage(ChunkScanner out) {
        if (peek() != '{') {
            skipValue(0);
            return;
        }
        at++;
        out.hasUsage = true;
        out.promptTokens = 0;
        out.completionTokens = 0;
        if (emptyObject()) {
            return;
        }
        do {
            name();
            if (named("prompt_tokens")) {
                out.promptTokens = countOr(out.promptTokens);
            } else if (named("completion_tokens")) {
                out.completionTokens = countOr(out.completionTokens);
            } else {
                skipValue(1);
            }
        } while (nextMember());
    }

    private void readChoices(ChunkScanner out) {
        if (peek() != '[') {
            skipValue(0);
            return;
        }
        at++;
        skipSpace();
        if (peek() == ']') {
            at++;
            return;
        }
        boolean first = true;
        do {
            if (peek() != '{') {
                throw GiveUp.INSTANCE;
            }
            if (first) {
                at++;
                readChoice(out);
                first = false;
            } else {
                skipValue(1);
            }
        } while (nextElement());
    }

    private void readChoice(ChunkScanner out) {
        if (emptyObject()) {
            return;
        }
        do {
            name();
            if (named("delta") && peek() == '{') {
                at++;
                readDelta(out);
            } else if (named("finish_reason") && peek() == '"') {
                out.finishReason = string();
            } else {
                skipValue(2);
            }
        } while (nextMember());
    }

    private void readDelta(ChunkScanner out) {
        if (emptyObject()) {
            return;
        }
        do {
            name();
            if (named("content") && peek() == '"') {
                out.content = string();
            } else if (named("tool_calls")) {
                requireLiteral("null");
            } else {
                skipValue(3);
            }
        } while (nextMember());
    }

    // ---- strict JSON, giving up on anything unusual ----

    /** After '{': true (and past '}') if the object is empty. */
    private boolean emptyObject() {
        skipSpace();
        if (peek() == '}') {
            at++;
            return true;
        }
        return false;
    }

    /**
     * A member's name and its colon; the value follows. The name is kept as a range of the text, not copied (a
     * string per member was a tenth of the bytes the broker allocated at the peak). Escaped names are given up on.
     */
    private void name() {
        skipSpace();
        expect('"');
        int start = at;
        while (true) {
            char c = charAt(at);
            if (c == '"') {
                break;
            }
            if (c == '\\' || c < 0x20) {
                throw GiveUp.INSTANCE;
            }
            at++;
        }
        nameStart = start;
        nameEnd = at;
        at++;
        skipSpace();
        expect(':');
        skipSpace();
    }

    /** Whether the last name read is {@code word}. */
    private boolean named(String word) {
        return nameEnd - nameStart == word.length() && text.startsWith(word, nameStart);
    }

    /** After a member's value: true past a ',', false past the closing '}'. */
    private boolean nextMember() {
        skipSpace();
        char c = charAt(at++);
        if (c == ',') {
            return true;
        }
        if (c == '}') {
            return false;
        }
        throw GiveUp.INSTANCE;
    }

    /** After an element: true past a ',', false past the closing ']'. */
    private boolean nextElement() {
        skipSpace();
        char c = charAt(at++);
        if (c == ',') {
            skipSpace();
            return true;
        }
        if (c == ']') {
            return false;
        }
        throw GiveUp.INSTANCE;
    }

    private void skipValue(int depth) {
        if (depth > MAX_DEPTH) {
            throw GiveUp.INSTANCE;
        }
        char c = peek();
        switch (c) {
            case '"' -> skipString();
            case '{' -> {
                at++;
                if (!emptyObject()) {
                    do {
                        name();
                        skipValue(depth + 1);
                    } while (nextMember());
                }
            }
            case '[' -> {
                at++;
                skipSpace();
                if (peek() == ']') {
                    at++;
                    return;
                }
                do {
                    skipValue(depth + 1);
                } while (nextElement());
            }
            case 't' -> requireLiteral("true");
            case 'f' -> requireLiteral("false");
            case 'n' -> requireLiteral("null");
            default -> number();
        }
    }

    private void requireLiteral(String word) {
        if (!literal(word)) {
            throw GiveUp.INSTANCE;
        }
    }

    /** Past {@code word} if it is next and ends there; otherwise nothing moves. */
    private boolean literal(String word) {
        if (!text.startsWith(word, at) || !endsToken(at + word.length())) {
            return false;
        }
        at += word.length();
        return true;
    }

    private boolean endsToken(int index) {
        if (index >= text.length()) {
            return true;
        }
        char c = text.charAt(index);
        return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    /** A number by JSON's grammar; returns whether it was a plain integer. */
    private boolean number() {
        int start = at;
        if (peek() == '-') {
            at++;
        }
        char first = charAt(at);
        if (first == '0') {
            at++;
        } else if (first >= '1' && first <= '9') {
            digits();
        } else {
            throw GiveUp.INSTANCE;
        }
        boolean integer = true;
        if (at < text.length() && text.charAt(at) == '.') {
            at++;
            requireDigit();
            digits();
            integer = false;
        }
        if (at < text.length() && (text.charAt(at) == 'e' || text.charAt(at) == 'E')) {
            at++;
            if (at < text.length() && (text.charAt(at) == '+' || text.charAt(at) == '-')) {
                at++;
            }
            requireDigit();
            digits();
            integer = false;
        }
        if (!endsToken(at) || at == start) {
            throw GiveUp.INSTANCE;
        }
        return integer;
    }

    private void requireDigit() {
        char c = charAt(at);
        if (c < '0' || c > '9') {
            throw GiveUp.INSTANCE;
        }
    }

    private void digits() {
        while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
            at++;
        }
    }

    /**
     * A usage count: a non-negative integer short enough for a long is read; any other number keeps
     * {@code current}, as Jackson's path keeps it for a fraction; a negative or long integer is given up on.
     */
    private long countOr(long current) {
        if (isCount()) {
            return count();
        }
        char c = peek();
        if (c == '-' || (c >= '0' && c <= '9') && number()) {
            throw GiveUp.INSTANCE;
        }
        if (c < '0' || c > '9') {
            skipValue(1);
        }
        return current;
    }

    /** Whether a usage count follows: a non-negative integer short enough for a long. */
    private boolean isCount() {
        int end = at;
        while (end < text.length() && text.charAt(end) >= '0' && text.charAt(end) <= '9') {
            end++;
        }
        int length = end - at;
        return length > 0 && length <= MAX_COUNT_DIGITS && (length == 1 || text.charAt(at) != '0') && endsToken(end);
    }

    private long count() {
        long value = 0;
        while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
            value = value * 10 + (text.charAt(at++) - '0');
        }
        return value;
    }

    private void skipString() {
        at++;
        while (true) {
            char c = charAt(at);
            if (c == '"') {
                at++;
                return;
            }
            if (c < 0x20) {
                throw GiveUp.INSTANCE;
            }
            at += c == '\\' ? escapeLength(at) : 1;
        }
    }

    /** A string value, its escapes decoded as Jackson decodes them (each {@code \\u} escape one char). */
    private String string() {
        int start = ++at;
        while (true) {
            char c = charAt(at);
            if (c == '"') {
                return text.substring(start, at++);
            }
            if (c == '\\') {
                return escapedString(start);
            }
            if (c < 0x20) {
                throw GiveUp.INSTANCE;
            }
            at++;
        }
    }

    private String escapedString(int start) {
        unescaped.setLength(0);
        unescaped.append(text, start, at);
        while (true) {
            char c = charAt(at);
            if (c == '"') {
                at++;
                return unescaped.toString();
            }
            if (c < 0x20) {
                throw GiveUp.INSTANCE;
            }
            if (c != '\\') {
                unescaped.append(c);
                at++;
                continue;
            }
            int length = escapeLength(at);
            char kind = text.charAt(at + 1);
            unescaped.append(switch (kind) {
                case 'b' -> '\b';
                case 't' -> '\t';
                case 'n' -> '\n';
                case 'f' -> '\f';
                case 'r' -> '\r';
                case 'u' -> (char) Integer.parseInt(text, at + 2, at + 6, 16);
                default -> kind;
            });
            at += length;
        }
    }

    /** The length of the escape at {@code index} (a backslash): 2, or 6 for a Unicode escape. */
    private int escapeLength(int index) {
        char kind = charAt(index + 1);
        switch (kind) {
            case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {
                return 2;
            }
            case 'u' -> {
                for (int i = index + 2; i < index + 6; i++) {
                    char h = charAt(i);
                    if (!(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F')) {
                        throw GiveUp.INSTANCE;
                    }
                }
                return 6;
            }
            default -> throw GiveUp.INSTANCE;
        }
    }

    private void expect(char c) {
        if (charAt(at) != c) {
            throw GiveUp.INSTANCE;
        }
        at++;
    }

    private char peek() {
        return charAt(at);
    }

    /** The char at {@code index}; past the end gives up (every caller needs one there). */
    private char charAt(int index) {
        if (index >= text.length()) {
            throw GiveUp.INSTANCE;
        }
        return text.charAt(index);
    }

    private void skipSpace() {
        while (at < text.length()) {
            char c = text.charAt(at);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            at++;
        }
    }

    /** Thrown to give up; preallocated and without a stack trace, it costs no more than a return. */
    private static final class GiveUp extends RuntimeException {
        static final GiveUp INSTANCE = new GiveUp();

        private GiveUp() {
            super("not a plain chunk", null, false, false);
        }
    }
}
