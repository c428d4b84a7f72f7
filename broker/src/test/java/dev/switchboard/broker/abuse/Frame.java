package dev.switchboard.broker.abuse;

import java.util.Optional;

/**
 * One client frame the fuzzer sends, with what the broker must answer to it. A text frame carries {@code text}
 * (sent as Java text: Jetty encodes it as UTF-8, so a lone surrogate character arrives as {@code ?}; JSON
 * {@code \ud800} escapes arrive as written); a binary frame carries {@code binary}.
 *
 * @param label the generator's name for it, for reports
 * @param isBinary whether it is a binary frame
 * @param text the text of a text frame, or empty for a binary frame
 * @param binary the payload of a binary frame, or empty for a text frame
 * @param expect what the broker must answer
 */
record Frame(String label, boolean isBinary, String text, byte[] binary, Expect expect) {
    private static final int SHOWN_CHARS = 300;

    static Frame text(String label, String text, Expect expect) {
        return new Frame(label, false, text, new byte[0], expect);
    }

    static Frame binary(String label, byte[] payload) {
        return new Frame(label, true, "", payload.clone(), Expect.envelope("binary_frame_not_supported"));
    }

    /** The same frame with another expectation (a script knows more about the session state than a generator). */
    Frame expecting(Expect other) {
        return new Frame(label, isBinary, text, binary, other);
    }

    /** The label and the frame, shortened and escaped so a report shows exactly what was sent. */
    String describe() {
        if (isBinary()) {
            return label + " [binary, " + binary.length + " bytes]";
        }
        StringBuilder out = new StringBuilder(label).append(" [").append(text.length()).append(" chars] ");
        int shown = Math.min(text.length(), SHOWN_CHARS);
        for (int i = 0; i < shown; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return text.length() > shown ? out.append("…").toString() : out.toString();
    }

    @Override
    public String toString() {
        return describe();
    }

    /**
     * What a frame must get, one per frame, in the window between it and the next barrier.
     *
     * @param code {@link #error}: exactly this error code; {@link #accepted}/{@link #either}: empty
     * @param mayBeAccepted whether an answer other than an error (acknowledgement events) is allowed
     * @param mayBeRefused whether an error is allowed
     * @param envelope whether the broker refuses the frame before reading its type, so that every session kind
     *     (relayed ones too) must answer with {@code code}
     */
    record Expect(Optional<String> code, boolean mayBeAccepted, boolean mayBeRefused, boolean envelope) {
        /** Exactly one {@code error} event with {@code code}, nothing else, from every session kind. */
        static Expect envelope(String code) {
            return new Expect(Optional.of(code), false, true, true);
        }

        /** Exactly one {@code error} event with {@code code}, nothing else, from a session that reads the event. */
        static Expect error(String code) {
            return new Expect(Optional.of(code), false, true, false);
        }

        /** A valid event: its acknowledgement, no error. */
        static Expect accepted() {
            return new Expect(Optional.empty(), true, false, false);
        }

        /** Either exactly one error with a documented code, or an acknowledgement; never both, never neither. */
        static Expect either() {
            return new Expect(Optional.empty(), true, true, false);
        }

        @Override
        public String toString() {
            return code.map(c -> "error " + c).orElse(mayBeRefused ? "error or acknowledgement" : "acknowledgement");
        }
    }
}
