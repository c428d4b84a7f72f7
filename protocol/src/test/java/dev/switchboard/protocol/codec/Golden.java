package dev.switchboard.protocol.codec;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The golden fixtures under {@code src/test/resources/golden/{client,server}/<wire-name>.json}, and a strict JSON
 * reader for comparing what the codec writes with them.
 */
final class Golden {
    /** Rejects duplicate keys, which a tree comparison alone would hide (the last key wins). */
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** Which vocabulary a fixture belongs to; the name is the fixture directory. */
    enum Side {
        CLIENT, SERVER;

        String directory() {
            return "golden/" + name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One fixture file.
     *
     * @param side client or server
     * @param wireName the event type, taken from the file name
     * @param text the file content
     */
    record Fixture(Side side, String wireName, String text) {
        JsonNode tree() {
            return strictTree(text);
        }

        @Override
        public String toString() {
            return side.name().toLowerCase(java.util.Locale.ROOT) + "/" + wireName;
        }
    }

    private Golden() {
    }

    /** All fixtures of one side, sorted by wire name. */
    static List<Fixture> fixtures(Side side) {
        Path dir = directory(side);
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json"))
                    .sorted()
                    .map(p -> new Fixture(side, wireName(p), read(p)))
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fixture for one wire name. */
    static Fixture fixture(Side side, String wireName) {
        Path file = directory(side).resolve(wireName + ".json");
        return new Fixture(side, wireName, read(file));
    }

    /** Parses JSON strictly: duplicate keys fail the test. */
    static JsonNode strictTree(String json) {
        try {
            return STRICT.readTree(json);
        } catch (JsonProcessingException e) {
            throw new AssertionError("not strict JSON: " + json, e);
        }
    }

    /** The {@code @JsonSubTypes} of a sealed event interface as wire name to class. */
    static Map<String, Class<?>> wireNames(Class<?> base) {
        JsonSubTypes subTypes = Objects.requireNonNull(base.getAnnotation(JsonSubTypes.class), base.getName());
        return Stream.of(subTypes.value())
                .collect(Collectors.toMap(JsonSubTypes.Type::name, JsonSubTypes.Type::value));
    }

    private static Path directory(Side side) {
        URL url = Golden.class.getClassLoader().getResource(side.directory());
        if (url == null) {
            throw new IllegalStateException("no fixture directory " + side.directory() + " on the test classpath");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String wireName(Path file) {
        String name = file.getFileName().toString();
        return name.substring(0, name.length() - ".json".length());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
