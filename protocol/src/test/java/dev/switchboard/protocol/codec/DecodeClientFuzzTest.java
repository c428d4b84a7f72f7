package dev.switchboard.protocol.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.protocol.event.ClientEvent;
import dev.switchboard.protocol.event.ErrorDetail;
import dev.switchboard.protocol.event.ErrorEvent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Deterministic pseudo-random mutations of the golden fixtures (truncations, character flips, values swapped for
 * other JSON types, fields removed) never make {@link EventCodec#decodeClient} throw. Each outcome must also be
 * usable: a rejection encodes as an {@code error} event, and a decoded event encodes and decodes back to itself.
 *
 * <p>The seed is fixed, so a failure reproduces; the message carries the iteration and the input.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class DecodeClientFuzzTest {
    private static final EventCodec CODEC = EventCodec.create();
    private static final ObjectMapper PLAIN = new ObjectMapper();
    private static final int MUTATIONS = 2_000;
    private static final long SEED = 0x5B0A_2D2025L;
    private static final Set<String> CODES = Set.of(EventCodec.INVALID_JSON, EventCodec.MISSING_PARAMETER,
            EventCodec.INVALID_VALUE);

    /** Characters that matter to a JSON parser, plus a control character, non-ASCII and a lone surrogate. */
    private static final String PALETTE = "{}[]\":,\\ 0123456789-+.eEtrufalsn\u0000\u00e9\ud83d";

    /** Replacement values of every JSON type, including edge cases for the fields we validate. */
    private static final List<String> VALUES = List.of("0", "-1", "16", "4097", "1.5", "9223372036854775808", "\"\"",
            "\"x\"", "\"5\"", "\"inf\"", "\"none\"", "\"realtime\"", "true", "false", "null", "[]", "{}", "[null]",
            "[\"text\"]", "{\"a\":1}", "{\"a\":\"b\"}", "{\"type\":\"message\"}", "[{\"type\":\"input_text\"}]");

    @Test
    void mutated_fixtures_never_make_decode_client_throw() {
        List<String> seeds = Stream.of(Golden.Side.values())
                .flatMap(side -> Golden.fixtures(side).stream())
                .map(Golden.Fixture::text)
                .collect(Collectors.toList());
        Random random = new Random(SEED);
        int decoded = 0;
        int rejected = 0;

        for (int i = 0; i < MUTATIONS; i++) {
            String input = mutate(seeds.get(random.nextInt(seeds.size())), random);
            ClientDecoding decoding;
            try {
                decoding = CODEC.decodeClient(input);
            } catch (RuntimeException | Error e) {
                throw new AssertionError("iteration " + i + " threw on: " + input, e);
            }
            if (decoding instanceof ClientDecoding.Rejected r) {
                checkRejection(r.error(), i, input);
                rejected++;
            } else if (decoding instanceof ClientDecoding.Decoded d) {
                checkRoundTrip(d.event(), i, input);
                decoded++;
            } else {
                fail("iteration " + i + ": null decoding for " + input);
            }
        }

        // Both outcomes must be common, or the mutations are not exercising the decoder.
        assertTrue(decoded > MUTATIONS / 20, "decoded " + decoded);
        assertTrue(rejected > MUTATIONS / 20, "rejected " + rejected);
    }

    private static void checkRejection(ErrorDetail error, int iteration, String input) {
        String where = "iteration " + iteration + ": " + input + " -> " + error;
        assertTrue(CODES.contains(error.code()), where);
        assertEquals("invalid_request_error", error.type(), where);
        assertFalse(error.message().isBlank(), where);
        Golden.strictTree(CODEC.encodeServer(new ErrorEvent(error), "event_1", 1));
    }

    private static void checkRoundTrip(ClientEvent event, int iteration, String input) {
        String encoded = CODEC.encodeClient(event);
        ClientDecoding again = CODEC.decodeClient(encoded);
        assertEquals(new ClientDecoding.Decoded(event), again,
                () -> "iteration " + iteration + ": " + input + " re-encoded as " + encoded);
    }

    private static String mutate(String text, Random random) {
        String once = mutateOnce(text, random);
        return random.nextInt(4) == 0 ? mutateOnce(once, random) : once;
    }

    private static String mutateOnce(String text, Random random) {
        int kind = random.nextInt(10);
        if (kind < 4) {
            return swapValue(text, random);
        } else if (kind < 5) {
            return removeField(text, random);
        } else if (kind < 7) {
            return text.substring(0, random.nextInt(text.length() + 1));
        } else {
            return flipChar(text, random, kind);
        }
    }

    private static String flipChar(String text, Random random, int kind) {
        if (text.isEmpty()) {
            return String.valueOf(PALETTE.charAt(random.nextInt(PALETTE.length())));
        }
        int at = random.nextInt(text.length());
        char c = PALETTE.charAt(random.nextInt(PALETTE.length()));
        return switch (kind) {
            case 7 -> text.substring(0, at) + c + text.substring(at + 1);
            case 8 -> text.substring(0, at) + c + text.substring(at);
            default -> text.substring(0, at) + text.substring(at + 1);
        };
    }

    /** Replaces one value anywhere in the tree with a value of another JSON type. */
    private static String swapValue(String text, Random random) {
        JsonNode root = parse(text);
        if (root == null) {
            return flipChar(text, random, 7);
        }
        List<ContainerNode<?>> parents = containers(root);
        ContainerNode<?> parent = parents.get(random.nextInt(parents.size()));
        JsonNode value = parse(VALUES.get(random.nextInt(VALUES.size())));
        if (parent instanceof ObjectNode object && object.size() > 0) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            object.set(names.get(random.nextInt(names.size())), value);
        } else if (parent instanceof ArrayNode array && array.size() > 0) {
            array.set(random.nextInt(array.size()), value);
        } else if (parent instanceof ArrayNode array) {
            array.add(value);
        }
        return root.toString();
    }

    private static String removeField(String text, Random random) {
        JsonNode root = parse(text);
        if (root == null) {
            return flipChar(text, random, 9);
        }
        List<ObjectNode> objects = containers(root).stream()
                .filter(c -> c instanceof ObjectNode o && o.size() > 0)
                .map(ObjectNode.class::cast)
                .collect(Collectors.toList());
        if (!objects.isEmpty()) {
            ObjectNode object = objects.get(random.nextInt(objects.size()));
            Iterator<String> names = object.fieldNames();
            int skip = random.nextInt(object.size());
            String name = names.next();
            for (int i = 0; i < skip; i++) {
                name = names.next();
            }
            object.remove(name);
        }
        return root.toString();
    }

    private static List<ContainerNode<?>> containers(JsonNode root) {
        List<ContainerNode<?>> result = new ArrayList<>();
        collect(root, result);
        return result;
    }

    private static void collect(JsonNode node, List<ContainerNode<?>> into) {
        if (node instanceof ContainerNode<?> container) {
            into.add(container);
            node.elements().forEachRemaining(child -> collect(child, into));
        }
    }

    private static JsonNode parse(String text) {
        try {
            JsonNode node = PLAIN.readTree(text);
            return node instanceof ContainerNode<?> ? node : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
