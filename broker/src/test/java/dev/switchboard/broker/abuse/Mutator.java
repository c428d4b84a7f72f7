package dev.switchboard.broker.abuse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Mutates a valid event: deletes, nulls, retypes, swaps, renames and duplicates fields, puts in huge numbers, deep
 * nesting, long strings and big arrays, odd Unicode (unpaired surrogates as JSON escapes or raw characters), another
 * event's type, and flips characters. Values that a JSON tree cannot hold (1e999, 10,000 nested arrays, a
 * duplicated key) are spliced into the serialised text in place of a placeholder.
 *
 * <p>Not thread-safe; deterministic for a given random source.
 */
final class Mutator {
    /** A plain mapper: the fuzzer's own reading of JSON, independent of the broker's codec. */
    static final ObjectMapper JSON = new ObjectMapper();
    /** Writes every non-ASCII character as a {@code \\uXXXX} escape, so unpaired surrogates arrive as sent. */
    private static final ObjectMapper ESCAPING = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    private static final List<String> RAW_NUMBERS = List.of("1e999", "-1e999", "1e-999", "9223372036854775808",
            "-9223372036854775809", "99999999999999999999999999999", "1" + "0".repeat(1200), "-0", "0", "1", "4096",
            "4097", "2147483648", "1.0", "1E3", "0.5", "NaN", "Infinity", "01", "-", "1e", "0x10");
    private static final List<String> RAW_STRINGS = List.of("\"\\ud800\"", "\"x\\udc00y\"", "\"\\udbff\\ud800\"",
            "\"\\u0000\"", "\"\\\"\"", "\"\\ud83d\\ude00\"", "\"\\uD83D\"", "\"\\x41\"", "\"\\u12\"", "\"\"",
            "\"\t\"", "\"\n\"");
    private static final int[] DEPTHS = {16, 256, 499, 500, 501, 999, 1000, 1001, 2000, 10_000};
    private static final List<String> TYPES = List.of("session.update", "conversation.item.create",
            "response.create", "response.cancel", "input_audio_buffer.append", "input_audio_buffer.commit");
    private static final String PLACEHOLDER = "__abuse_raw_";

    private final SplittableRandom random;

    Mutator(SplittableRandom random) {
        this.random = random;
    }

    /**
     * @param text the mutated frame
     * @param applied the mutations, in order, for reports
     */
    record Result(String text, List<String> applied) {
    }

    /** A field or element of the tree that a mutation can change. */
    private record Slot(ContainerNode<?> parent, String field, int index) {
        JsonNode get() {
            return parent instanceof ObjectNode object ? object.get(field) : ((ArrayNode) parent).get(index);
        }

        void set(JsonNode value) {
            if (parent instanceof ObjectNode object) {
                object.set(field, value);
            } else {
                ((ArrayNode) parent).set(index, value);
            }
        }

        void remove() {
            if (parent instanceof ObjectNode object) {
                object.remove(field);
            } else {
                ((ArrayNode) parent).remove(index);
            }
        }

        String name() {
            return parent instanceof ObjectNode ? field : "[" + index + "]";
        }
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + json, e);
        }
    }

    /** Applies {@code count} random mutations to {@code template}. */
    Result mutate(String template, int count) {
        ObjectNode root = (ObjectNode) parse(template);
        Map<String, String> raw = new LinkedHashMap<>();
        List<String> applied = new ArrayList<>();
        List<Integer> textOps = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int op = random.nextInt(16);
            if (op >= 14) {
                textOps.add(op);
                continue;
            }
            List<Slot> slots = slots(root);
            if (slots.isEmpty()) {
                root.put("type", "response.cancel");
                applied.add("reset");
                continue;
            }
            Slot slot = slots.get(random.nextInt(slots.size()));
            applied.add(treeOp(op, slot, root, raw));
        }
        String text = write(root);
        for (Map.Entry<String, String> e : raw.entrySet()) {
            text = text.replace("\"" + e.getKey() + "\"", e.getValue());
        }
        for (int op : textOps) {
            String[] out = textOp(op, text);
            text = out[0];
            applied.add(out[1]);
        }
        return new Result(text, applied);
    }

    private String treeOp(int op, Slot slot, ObjectNode root, Map<String, String> raw) {
        String name = slot.name();
        switch (op) {
            case 0 -> {
                slot.remove();
                return "delete " + name;
            }
            case 1 -> {
                slot.set(JSON.nullNode());
                return "null " + name;
            }
            case 2 -> {
                slot.set(otherType(slot.get()));
                return "retype " + name;
            }
            case 3 -> {
                String number = RAW_NUMBERS.get(random.nextInt(RAW_NUMBERS.size()));
                slot.set(placeholder(raw, number));
                return "number " + name + "=" + (number.length() > 20 ? number.length() + " digits" : number);
            }
            case 4 -> {
                int depth = DEPTHS[random.nextInt(DEPTHS.length)];
                boolean arrays = random.nextBoolean();
                String open = arrays ? "[" : "{\"a\":";
                String close = arrays ? "]" : "}";
                slot.set(placeholder(raw, open.repeat(depth) + "1" + close.repeat(depth)));
                return "nest " + name + " " + depth + (arrays ? " arrays" : " objects");
            }
            case 5 -> {
                slot.set(TextNode.valueOf(Chars.randomString(random, 40)));
                return "unicode " + name;
            }
            case 6 -> {
                slot.set(placeholder(raw, RAW_STRINGS.get(random.nextInt(RAW_STRINGS.size()))));
                return "escape " + name;
            }
            case 7 -> {
                return swap(slot);
            }
            case 8 -> {
                if (slot.parent() instanceof ObjectNode object) {
                    JsonNode value = object.remove(slot.field());
                    String renamed = random.nextBoolean() ? slot.field().toUpperCase(java.util.Locale.ROOT)
                            : slot.field() + "s";
                    object.set(renamed, value);
                    return "rename " + name + " to " + renamed;
                }
                slot.remove();
                return "delete " + name;
            }
            case 9 -> {
                String type = TYPES.get(random.nextInt(TYPES.size()));
                root.put("type", type);
                return "type " + type;
            }
            case 10 -> {
                int length = random.nextInt(5) == 0 ? 100_000 : 10_000;
                slot.set(TextNode.valueOf(Chars.randomString(random, 20) + "a".repeat(length)));
                return "long string " + name;
            }
            case 11 -> {
                ArrayNode big = JSON.createArrayNode();
                int size = random.nextBoolean() ? 1_000 : 20_000;
                for (int i = 0; i < size; i++) {
                    big.add(random.nextBoolean() ? JSON.nullNode() : randomJson(1));
                }
                slot.set(big);
                return "big array " + name + " of " + size;
            }
            case 12 -> {
                if (slot.parent() instanceof ObjectNode object) {
                    object.set("x_" + random.nextInt(1000), randomJson(3));
                    return "add unknown field beside " + name;
                }
                ((ArrayNode) slot.parent()).add(randomJson(3));
                return "append to array at " + name;
            }
            default -> {
                root.putNull("type");
                return "type null";
            }
        }
    }

    private String swap(Slot slot) {
        if (!(slot.parent() instanceof ObjectNode object) || object.size() < 2) {
            slot.set(JSON.createObjectNode());
            return "empty object at " + slot.name();
        }
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        String other = names.get(random.nextInt(names.size()));
        JsonNode mine = object.get(slot.field());
        object.set(slot.field(), object.get(other));
        object.set(other, mine);
        return "swap " + slot.field() + " and " + other;
    }

    private String[] textOp(int op, String text) {
        if (op == 14) {
            List<String> names = new ArrayList<>();
            parse(stripRawPlaceholders(text)).fieldNames().forEachRemaining(names::add);
            String key = names.isEmpty() ? "type" : names.get(random.nextInt(names.size()));
            String value = random.nextBoolean() ? "null" : randomJson(2).toString();
            boolean first = random.nextBoolean();
            String pair = "\"" + key + "\":" + value;
            String out = first ? "{" + pair + "," + text.substring(1) : text.substring(0, text.length() - 1) + ","
                    + pair + "}";
            return new String[] {out, "duplicate " + key + (first ? " before" : " after")};
        }
        if (text.isEmpty()) {
            return new String[] {text, "flip nothing"};
        }
        int at = random.nextInt(text.length());
        char c = (char) (0x20 + random.nextInt(0x5f));
        return new String[] {text.substring(0, at) + c + text.substring(at + 1), "flip char " + at + " to " + c};
    }

    /** The text can already hold raw splices that are not JSON; only the top-level names are needed here. */
    private static String stripRawPlaceholders(String text) {
        try {
            return JSON.readTree(text) == null ? "{}" : text;
        } catch (JsonProcessingException e) {
            return "{}";
        }
    }

    private TextNode placeholder(Map<String, String> raw, String value) {
        String key = PLACEHOLDER + raw.size() + "__";
        raw.put(key, value);
        return TextNode.valueOf(key);
    }

    /** A value of another JSON type than {@code current}. */
    private JsonNode otherType(JsonNode current) {
        for (int attempt = 0; attempt < 8; attempt++) {
            JsonNode candidate = randomJson(2);
            if (candidate.getNodeType() != current.getNodeType()) {
                return candidate;
            }
        }
        return current.isTextual() ? JSON.getNodeFactory().numberNode(7) : TextNode.valueOf("7");
    }

    /** A random JSON value at most {@code depth} containers deep. */
    JsonNode randomJson(int depth) {
        int roll = random.nextInt(depth > 0 ? 8 : 6);
        return switch (roll) {
            case 0 -> JSON.nullNode();
            case 1 -> JSON.getNodeFactory().booleanNode(random.nextBoolean());
            case 2 -> JSON.getNodeFactory().numberNode(random.nextLong());
            case 3 -> JSON.getNodeFactory().numberNode(random.nextDouble() * 1e6);
            case 4 -> TextNode.valueOf(Chars.randomString(random, 12));
            case 5 -> TextNode.valueOf(TYPES.get(random.nextInt(TYPES.size())));
            case 6 -> {
                ArrayNode array = JSON.createArrayNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    array.add(randomJson(depth - 1));
                }
                yield array;
            }
            default -> {
                ObjectNode object = JSON.createObjectNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    object.set(random.nextBoolean() ? "type" : "k" + i, randomJson(depth - 1));
                }
                yield object;
            }
        };
    }

    private String write(JsonNode root) {
        try {
            return (random.nextBoolean() ? ESCAPING : JSON).writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a tree", e);
        }
    }

    /** Every field and element of {@code root}, depth first. */
    private static List<Slot> slots(ObjectNode root) {
        List<Slot> out = new ArrayList<>();
        collect(root, out);
        return out;
    }

    private static void collect(JsonNode node, List<Slot> out) {
        if (node instanceof ObjectNode object) {
            for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                out.add(new Slot(object, name, -1));
                collect(object.get(name), out);
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                out.add(new Slot(array, "", i));
                collect(array.get(i), out);
            }
        }
    }
}
