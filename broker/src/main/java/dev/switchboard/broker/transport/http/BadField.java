package dev.switchboard.broker.transport.http;

/**
 * A request field that breaks a rule. Internal to parsing (it saves threading a result through every nested
 * check) and never escapes it: {@link ChatRequestParser#parse} reports it as a {@link ChatRequestParser.Parsed.Invalid}
 * value. No stack trace is captured.
 */
final class BadField extends Exception {
    private final String code;
    private final String param;

    private BadField(String code, String param, String message) {
        super(message, null, false, false);
        this.code = code;
        this.param = param;
    }

    /** {@code missing_required_parameter} or {@code invalid_value}. */
    String code() {
        return code;
    }

    /** The offending field's path, e.g. {@code messages[1].content}. */
    String param() {
        return param;
    }

    static BadField missing(String param) {
        return new BadField("missing_required_parameter", param, "missing required parameter '" + param + "'");
    }

    static BadField invalid(String param, String message) {
        return new BadField("invalid_value", param, message);
    }
}
