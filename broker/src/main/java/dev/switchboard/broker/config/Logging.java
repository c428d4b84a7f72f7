package dev.switchboard.broker.config;

import static dev.switchboard.broker.config.BrokerConfig.or;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;

/**
 * How the broker writes its log (issue 15). See {@code docs/observability.md}.
 *
 * @param format {@code text} (the default: readable lines on standard error, for dev mode) or {@code json} (one JSON
 *     object per line on standard output, for log collectors)
 * @param level the lowest level written: {@code trace}, {@code debug}, {@code info}, {@code warn} or {@code error}
 */
public record Logging(Format format, Level level) {

    /** How log lines are written. */
    public enum Format implements ConfigValues.Word {
        /** {@code 2025-01-31T09:00:00.000+0000 [INFO] logger - message} on standard error. */
        TEXT,
        /** One JSON object per line on standard output. */
        JSON
    }

    /** The lowest level written. */
    public enum Level implements ConfigValues.Word {
        TRACE, DEBUG, INFO, WARN, ERROR
    }

    /** Text at {@code info}: what the broker writes when the file has no {@code logging} section. */
    public static Logging defaults() {
        return new Logging(Format.TEXT, Level.INFO);
    }

    @JsonCreator
    static Logging bind(@JsonProperty("format") @Nullable Format format, @JsonProperty("level") @Nullable Level level) {
        return new Logging(or(format, Format.TEXT), or(level, Level.INFO));
    }
}
