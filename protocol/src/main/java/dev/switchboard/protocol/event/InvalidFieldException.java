package dev.switchboard.protocol.event;

/**
 * Thrown by a record's compact constructor when one of its fields is missing or has an invalid value.
 *
 * <p>{@link dev.switchboard.protocol.codec.EventCodec} turns it into an {@code error} whose {@code param} is the
 * field's full path ({@code response.metadata}, {@code item.content[0].type}). Code that builds records directly
 * should treat it like any {@link IllegalArgumentException}: a bug in the caller.
 */
public final class InvalidFieldException extends IllegalArgumentException {
    private final String field;
    private final boolean missing;

    private InvalidFieldException(String field, boolean missing, String message) {
        super(message);
        this.field = field;
        this.missing = missing;
    }

    /** A required field is absent, {@code null} or empty; {@code description} names it for people. */
    static InvalidFieldException missing(String field, String description) {
        return new InvalidFieldException(field, true, "missing required field '" + description + "'");
    }

    /** A field is present with a value outside its rules; {@code message} states the rule. */
    static InvalidFieldException invalid(String field, String message) {
        return new InvalidFieldException(field, false, message);
    }

    /** The wire name of the field within the record that rejected it, e.g. {@code max_output_tokens}. */
    public String field() {
        return field;
    }

    /** Whether the field was missing rather than present with an invalid value. */
    public boolean missing() {
        return missing;
    }
}
