package dev.switchboard.bridge.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * {@link PlainChunkReader} reads what Jackson's path reads and gives up on the rest: thousands of generated chunks
 * (plain ones, odd ones, and damaged copies of both) through the hand reader and through Jackson alone.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class PlainChunkReaderTest {
    private static final JsonFactory FACTORY = new JsonFactory();

    /** What a scan yields: the fields the mapper reads, or that the chunk was malformed. */
    private record Result(boolean malformed, String content, String finishReason, String model, boolean hasUsage,
                          long promptTokens, long completionTokens, boolean needsTree) {
        static Result of(ChunkScanner scanner) {
            return new Result(false, scanner.content, scanner.finishReason, scanner.model, scanner.hasUsage,
                    scanner.hasUsage ? scanner.promptTokens : 0, scanner.hasUsage ? scanner.completionTokens : 0,
                    scanner.needsTree);
        }
    }

    private static Result scan(ChunkScanner scanner, String data) {
        try {
            scanner.scan(data);
            return Result.of(scanner);
        } catch (IOException e) {
            return new Result(true, null, null, null, false, 0, 0, false);
        }
    }

    @Test
    void a_provider_chunk_is_read_by_hand_with_escapes_decoded() {
        ChunkScanner scanner = new ChunkScanner(FACTORY);
        String chunk = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1733,"
                + "\"model\":\"gpt-x\",\"system_fingerprint\":null,\"choices\":[{\"index\":0,"
                + "\"delta\":{\"content\":\"a \\\"b\\\"\\n\\u00e9\\/\"},"
                + "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}";
        assertTrue(new PlainChunkReader().read(chunk, scanner));
        assertEquals("a \"b\"\né/", scanner.content);
        assertEquals("gpt-x", scanner.model);
        assertEquals(null, scanner.finishReason);
        assertFalse(scanner.needsTree);
    }

    @Test
    void generated_and_damaged_chunks_read_the_same_by_hand_as_with_jackson() {
        Random random = new Random(2026);
        ChunkScanner both = new ChunkScanner(FACTORY);
        ChunkScanner jacksonOnly = new ChunkScanner(FACTORY, false);
        PlainChunkReader reader = new PlainChunkReader();
        ChunkScanner handOnly = new ChunkScanner(FACTORY, false);
        int handled = 0;
        int cases = 20_000;
        for (int i = 0; i < cases; i++) {
            String data = chunk(random);
            if (random.nextInt(10) < 3) {
                data = damage(data, random);
            }
            Result expected = scan(jacksonOnly, data);
            assertEquals(expected, scan(both, data), data);
            if (reader.read(data, handOnly)) {
                handled++;
                assertEquals(expected, Result.of(handOnly), data);
            }
        }
        // Most undamaged chunks are plain: the hand reader must really be taking them.
        int read = handled;
        assertTrue(read > cases / 3, () -> "read by hand: " + read);
    }

    // ---- generation ----

    private static String chunk(Random random) {
        List<String> members = new ArrayList<>();
        members.add(member("id", str(random, "chatcmpl-" + random.nextInt(1000)), random));
        members.add(member("object", str(random, "chat.completion.chunk"), random));
        members.add(member("created", Integer.toString(random.nextInt(2_000_000_000)), random));
        members.add(member("model", pick(random, str(random, "gpt-" + random.nextInt(9)), str(random, "mödel \"x\""),
                "null", "7", "{\"a\":1}", "[]"), random));
        if (random.nextBoolean()) {
            members.add(member("system_fingerprint", pick(random, "null", str(random, "fp_1")), random));
        }
        members.add(member("choices", choices(random), random));
        if (random.nextInt(3) == 0) {
            members.add(member("usage", usage(random), random));
        }
        if (random.nextInt(20) == 0) {
            members.add(member("error", pick(random, "null", "{\"message\":\"boom\"}", "\"x\""), random));
        }
        if (random.nextInt(4) == 0) {
            members.add(member("x_" + random.nextInt(5), value(random, 0), random));
        }
        if (random.nextInt(4) == 0) {
            Collections.shuffle(members, random);
        }
        return space(random) + "{" + String.join(",", members) + "}" + space(random);
    }

    private static String choices(Random random) {
        return switch (random.nextInt(12)) {
            case 0 -> "[]";
            case 1 -> "[" + choice(random) + "," + choice(random) + "]";
            case 2 -> "[1," + choice(random) + "]";
            case 3 -> "null";
            default -> "[" + space(random) + choice(random) + space(random) + "]";
        };
    }

    private static String choice(Random random) {
        List<String> members = new ArrayList<>();
        members.add(member("index", "0", random));
        members.add(member("delta", delta(random), random));
        members.add(member("logprobs", "null", random));
        members.add(member("finish_reason", pick(random, "null", "null", "null", str(random, "stop"),
                str(random, "length"), "5"), random));
        if (random.nextInt(4) == 0) {
            Collections.shuffle(members, random);
        }
        return "{" + String.join(",", members) + "}";
    }

    private static String delta(Random random) {
        List<String> members = new ArrayList<>();
        if (random.nextInt(5) == 0) {
            members.add(member("role", str(random, "assistant"), random));
        }
        members.add(member("content", pick(random, str(random, text(random)), str(random, text(random)),
                str(random, text(random)), "null", "12", "[\"a\"]"), random));
        if (random.nextInt(15) == 0) {
            members.add(member("tool_calls", pick(random, "null", "[{\"index\":0}]"), random));
        }
        return random.nextInt(20) == 0 ? "\"not an object\"" : "{" + String.join(",", members) + "}";
    }

    private static String usage(Random random) {
        return random.nextInt(6) == 0 ? "null" : "{" + member("prompt_tokens", count(random), random) + ","
                + member("completion_tokens", count(random), random) + "," + member("total_tokens", count(random),
                random) + (random.nextBoolean() ? ",\"details\":{\"cached_tokens\":0,\"list\":[1,2.5e3,-0.1]}" : "")
                + "}";
    }

    private static String count(Random random) {
        return pick(random, Integer.toString(random.nextInt(100_000)), Integer.toString(random.nextInt(10)), "-3",
                "1.5", "2E2", "12345678901234567890", "9223372036854775807", "\"7\"", "null");
    }

    private static String value(Random random, int depth) {
        int kind = depth > 3 ? random.nextInt(5) : random.nextInt(7);
        return switch (kind) {
            case 0 -> "true";
            case 1 -> "false";
            case 2 -> "null";
            case 3 -> pick(random, "0", "-0", "12", "-7.25", "1e10", "6.02E+23", "3.0e-2");
            case 4 -> str(random, text(random));
            case 5 -> "[" + value(random, depth + 1) + "," + space(random) + value(random, depth + 1) + "]";
            default -> "{\"k\":" + value(random, depth + 1) + ",\"k2\":" + value(random, depth + 1) + "}";
        };
    }

    private static String member(String name, String value, Random random) {
        return space(random) + "\"" + name + "\"" + space(random) + ":" + space(random) + value + space(random);
    }

    private static String space(Random random) {
        return random.nextInt(6) == 0 ? pick(random, " ", "\n", "\t ", "\r\n  ") : "";
    }

    private static String pick(Random random, String... options) {
        return options[random.nextInt(options.length)];
    }

    private static String text(Random random) {
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(12);
        for (int i = 0; i < length; i++) {
            text.append((char) switch (random.nextInt(4)) {
                case 0 -> 'a' + random.nextInt(26);
                case 1 -> random.nextInt(0x80);
                case 2 -> 0x80 + random.nextInt(0x3000);
                default -> random.nextInt(0x10000);
            });
        }
        return text.toString();
    }

    /** A JSON string literal of {@code text}, escaped in one of the ways JSON allows, chosen per character. */
    private static String str(Random random, String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            int way = random.nextInt(8);
            if (c == '"' || c == '\\' || c < 0x20 || way == 0) {
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append(way < 4 ? "\\n" : "\\u000a");
                    case '/' -> out.append("\\/");
                    default -> out.append(String.format(way < 4 ? "\\u%04x" : "\\u%04X", (int) c));
                }
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    private static String damage(String data, Random random) {
        if (data.isEmpty()) {
            return data;
        }
        int at = random.nextInt(data.length());
        String noise = pick(random, "{", "}", "[", "]", "\"", ",", ":", "\\", "a", "0", "-", ".", "e", "\u0001", " ",
                "\\u12", "nul", "01", "\\x");
        return switch (random.nextInt(4)) {
            case 0 -> data.substring(0, at);
            case 1 -> data.substring(0, at) + data.substring(at + 1);
            case 2 -> data.substring(0, at) + noise + data.substring(at);
            default -> data.substring(0, at) + noise + data.substring(Math.min(data.length(), at + 1));
        };
    }
}
