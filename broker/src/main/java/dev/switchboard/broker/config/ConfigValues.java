package dev.switchboard.broker.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleDeserializers;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The value types of the configuration file that are not plain JSON: durations ({@code 500ms}, {@code 30s},
 * {@code 2m}, {@code 1h}, always &gt; 0), provider URLs and the closed sets of words ({@link Word}). Stateless.
 */
final class ConfigValues {
    static final String DURATION_RULE = "must be a duration such as 500ms, 30s, 2m or 1h";
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    private ConfigValues() {
    }

    /** The module binding {@link Duration}s and every {@link Word} enum from their written form. */
    static SimpleModule module() {
        SimpleDeserializers deserializers = new SimpleDeserializers() {
            private static final long serialVersionUID = 1L;

            @Override
            public JsonDeserializer<?> findEnumDeserializer(Class<?> type, DeserializationConfig config,
                                                            BeanDescription beanDesc) throws JsonMappingException {
                return Word.class.isAssignableFrom(type) ? new WordDeserializer(type)
                        : super.findEnumDeserializer(type, config, beanDesc);
            }
        };
        deserializers.addDeserializer(Duration.class, new DurationDeserializer());
        SimpleModule module = new SimpleModule("switchboard-config");
        module.setDeserializers(deserializers);
        return module;
    }

    /** Parses {@code 500ms}, {@code 30s}, {@code 2m} or {@code 1h}; zero is refused. */
    static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw ConfigRule.ofValue(DURATION_RULE);
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
        if (d.isZero()) {
            throw ConfigRule.ofValue("must be > 0");
        }
        return d;
    }

    /** A provider URL: http(s), for relayed providers also ws(s), or {@code simulator:/PATH}. */
    static URI providerUrl(String text, boolean webSocket, String key) {
        Set<String> schemes = webSocket ? Set.of("ws", "wss", "http", "https", "simulator")
                : Set.of("http", "https", "simulator");
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw ConfigRule.of(key, "is not a valid URL");
        }
        ConfigRule.require(uri.getScheme() != null && schemes.contains(uri.getScheme()), key,
                (webSocket ? "must be a ws, wss, http or https URL" : "must be an http or https URL")
                        + " (or simulator:/PATH)");
        return uri;
    }

    /** A closed set of words written in the file; bound by name, refused with the list of allowed words. */
    interface Word {
        /** The word as written in the file: the constant's name in lower case, {@code _} written {@code -}. */
        default String word() {
            return ((Enum<?>) this).name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** The words of {@code type}, for messages. */
    static <E extends Enum<E> & Word> List<String> words(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(Word::word).toList();
    }

    /** The constant of {@code type} written {@code word}; otherwise a rule naming the allowed words. */
    static <E extends Enum<E> & Word> E word(Class<E> type, String word) {
        for (E e : type.getEnumConstants()) {
            if (e.word().equals(word)) {
                return e;
            }
        }
        throw ConfigRule.ofValue("must be one of " + words(type) + " but was '" + word + "'");
    }

    /** Binds any {@link Word} enum from its word; anything else is refused with the list of words. */
    private static final class WordDeserializer extends StdScalarDeserializer<Object> {
        private static final long serialVersionUID = 1L;
        private final Class<?> type;

        WordDeserializer(Class<?> type) {
            super(type);
            this.type = type;
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                throw ConfigRule.ofValue("must be one of " + words((Class) type));
            }
            return word((Class) type, p.getText());
        }
    }

    private static final class DurationDeserializer extends StdScalarDeserializer<Duration> {
        private static final long serialVersionUID = 1L;

        DurationDeserializer() {
            super(Duration.class);
        }

        @Override
        public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                throw ConfigRule.ofValue(DURATION_RULE);
            }
            return duration(p.getText());
        }
    }
}
