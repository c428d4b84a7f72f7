package dev.switchboard.broker.config;

import org.jspecify.annotations.Nullable;

/**
 * A configuration rule broken while a record is bound: thrown by the records' {@code bind} factories and the value
 * deserializers, and turned by {@link ConfigLoader} into a {@link ConfigException} that names the full key path.
 * The key is relative to the object being bound ({@code "port"} inside {@code listen}); {@code null} means the
 * value itself ({@code "must be a duration …"} for {@code drain.timeout}).
 */
final class ConfigRule extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final @Nullable String key;

    private ConfigRule(@Nullable String key, String rule) {
        super(rule);
        this.key = key;
    }

    /** Fails with {@code key + " " + rule} unless {@code holds}. */
    static void require(boolean holds, String key, String rule) {
        if (!holds) {
            throw new ConfigRule(key, rule);
        }
    }

    /** Fails unless {@code min <= value <= max}. */
    static long between(long value, long min, long max, String key) {
        require(value >= min && value <= max, key, "must be between " + min + " and " + max);
        return value;
    }

    /** A rule about the value being bound, not one of its keys. */
    static ConfigRule ofValue(String rule) {
        return new ConfigRule(null, rule);
    }

    /** A rule about {@code key}, relative to the object being bound. */
    static ConfigRule of(String key, String rule) {
        return new ConfigRule(key, rule);
    }

    /** The key the rule is about, relative to the object being bound; null for the value itself. */
    @Nullable String key() {
        return key;
    }
}
