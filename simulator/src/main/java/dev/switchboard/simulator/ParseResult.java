package dev.switchboard.simulator;

import java.util.Objects;

/**
 * The outcome of validating client input: a value, or the error to answer with. A bad request is an
 * expected outcome, so it is a value rather than an exception.
 *
 * @param <T> the parsed value's type
 */
sealed interface ParseResult<T> {

    static <T> ParseResult<T> valid(T value) {
        return new Valid<>(value);
    }

    static <T> ParseResult<T> invalid(ErrorReply error) {
        return new Invalid<>(error);
    }

    /** @param value the parsed value */
    record Valid<T>(T value) implements ParseResult<T> {
        public Valid {
            Objects.requireNonNull(value, "value");
        }
    }

    /** @param error the response to send instead */
    record Invalid<T>(ErrorReply error) implements ParseResult<T> {
        public Invalid {
            Objects.requireNonNull(error, "error");
        }
    }
}
