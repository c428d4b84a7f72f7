package dev.switchboard.protocol.event;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Null-to-default helpers for compact constructors; Jackson passes {@code null} for absent fields. */
final class Defaults {
    private Defaults() {
    }

    static String string(String value) {
        return value == null ? "" : value;
    }

    static <T> Optional<T> optional(Optional<T> value) {
        return value == null ? Optional.empty() : value;
    }

    static <T> List<T> list(List<T> value) {
        return value == null ? List.of() : List.copyOf(value);
    }

    static <K, V> Map<K, V> map(Map<K, V> value) {
        return value == null ? Map.of() : Map.copyOf(value);
    }

    static String require(String value, String field) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("missing required field '" + field + "'");
        }
        return value;
    }
}
