package dev.switchboard.broker.config;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Turns a Jackson binding failure into the message a person fixing the file needs: the full key path
 * ({@code providers.p.timeouts.first_token}) and the rule, never a Java type name. Stateless.
 */
final class BindingErrors {
    private BindingErrors() {
    }

    /** The configuration error {@code e} stands for. */
    static ConfigException explain(JsonMappingException e) {
        String path = path(e.getPath());
        ConfigRule rule = rule(e);
        if (rule != null) {
            return new ConfigException(join(path, rule.key()) + " " + rule.getMessage());
        }
        if (e instanceof UnrecognizedPropertyException unknown) {
            return unknownKey(path, unknown);
        }
        if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            return new ConfigException(path + " " + expected(mismatch.getTargetType()));
        }
        return new ConfigException((path.isEmpty() ? "the configuration" : path) + " is not valid: "
                + e.getOriginalMessage());
    }

    private static ConfigException unknownKey(String path, UnrecognizedPropertyException e) {
        Collection<Object> known = e.getKnownPropertyIds();
        String parent = path.contains(".") ? path.substring(0, path.lastIndexOf('.')) : "";
        return new ConfigException(path + " is not a known key (known" + (parent.isEmpty() ? "" : " in " + parent)
                + ": " + String.join(", ", new TreeSet<>(known.stream().map(String::valueOf).toList())) + ")");
    }

    private static String expected(Class<?> type) {
        if (type == Long.class || type == long.class || type == Integer.class || type == int.class) {
            return "must be an integer";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "must be true or false";
        }
        if (type == String.class) {
            return "must be a string";
        }
        if (type == Duration.class) {
            return ConfigValues.DURATION_RULE;
        }
        if (List.class.isAssignableFrom(type) || Collection.class.isAssignableFrom(type)) {
            return "must be a list";
        }
        if (type.isEnum() && ConfigValues.Word.class.isAssignableFrom(type)) {
            return "must be one of " + words(type);
        }
        return Map.class.isAssignableFrom(type) || type.isRecord() ? "must be a mapping" : "has the wrong shape";
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static List<String> words(Class<?> type) {
        return ConfigValues.words((Class) type);
    }

    private static @Nullable ConfigRule rule(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConfigRule rule) {
                return rule;
            }
        }
        return null;
    }

    private static String path(List<JsonMappingException.Reference> references) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference ref : references) {
            if (ref.getFieldName() != null) {
                out.append(out.length() == 0 ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    private static String join(String path, @Nullable String key) {
        if (key == null) {
            return path;
        }
        return path.isEmpty() ? key : path + "." + key;
    }

}
