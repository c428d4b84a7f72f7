package dev.switchboard.broker.audit;

import dev.switchboard.broker.config.BrokerConfig;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The version of a bound configuration: {@code hex(SHA-256)} of its canonical text — every record component in
 * declaration order, maps and sets sorted, strings quoted — so the same settings give the same version whatever
 * the file's layout, comments or key order, and on every run (the bound maps' iteration order is not stable).
 * Secrets count (a rotated key is a new version) but only their hash leaves the broker. Stateless.
 */
public final class ConfigVersion {
    private ConfigVersion() {
    }

    /** The version of {@code config}. */
    public static String of(BrokerConfig config) {
        StringBuilder text = new StringBuilder(4096);
        write(config, text);
        return HexFormat.of().formatHex(Chain.sha256().digest(text.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Whether two configuration values (a section, a map of them, a record) are the same settings, by their canonical
     * text: what a reload compares section by section.
     */
    public static boolean same(Object a, Object b) {
        StringBuilder left = new StringBuilder();
        StringBuilder right = new StringBuilder();
        write(a, left);
        write(b, right);
        return left.toString().equals(right.toString());
    }

    private static void write(Object value, StringBuilder out) {
        if (value instanceof Record record) {
            out.append(record.getClass().getSimpleName()).append('{');
            for (RecordComponent component : record.getClass().getRecordComponents()) {
                out.append(component.getName()).append('=');
                write(component(record, component), out);
                out.append(';');
            }
            out.append('}');
        } else if (value instanceof Map<?, ?> map) {
            TreeMap<String, Object> sorted = new TreeMap<>();
            map.forEach((k, v) -> sorted.put(String.valueOf(k), v));
            out.append('{');
            sorted.forEach((k, v) -> {
                write(k, out);
                out.append(':');
                write(v, out);
                out.append(',');
            });
            out.append('}');
        } else if (value instanceof Set<?> set) {
            TreeSet<String> sorted = new TreeSet<>();
            set.forEach(item -> {
                StringBuilder one = new StringBuilder();
                write(item, one);
                sorted.add(one.toString());
            });
            out.append('[').append(String.join(",", sorted)).append(']');
        } else if (value instanceof Collection<?> list) {
            out.append('[');
            list.forEach(item -> {
                write(item, out);
                out.append(',');
            });
            out.append(']');
        } else if (value instanceof Optional<?> optional) {
            optional.ifPresentOrElse(v -> write(v, out), () -> out.append("none"));
        } else if (value instanceof OptionalLong || value instanceof OptionalInt || value instanceof OptionalDouble) {
            out.append(value);
        } else if (value instanceof String text) {
            out.append('"').append(text.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        } else {
            out.append(value);
        }
    }

    private static Object component(Record record, RecordComponent component) {
        try {
            return component.getAccessor().invoke(record);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + component.getName() + " of a configuration record", e);
        }
    }
}
