package dev.switchboard.broker.abuse;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.broker.abuse.Frame.Expect;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded generator of single client frames: random bytes and strings, JSON that is not an object, broken envelopes
 * (type or event_id missing, null or of the wrong type, trailing content), truncated and mutated valid events
 * ({@link Mutator}), unknown event types, binary frames and frames around {@code limits.max_frame_bytes}. Each
 * frame says what the broker must answer ({@link Frame.Expect}). Deterministic for a given random source.
 *
 * <p>Not thread-safe: one generator per try.
 */
final class FrameGenerator {
    /** Valid events the mutations start from; response.create asks the simulator for a short, fast answer. */
    static final List<String> TEMPLATES = List.of(
            "{\"type\":\"session.update\",\"event_id\":\"evt_su\",\"session\":{\"type\":\"realtime\","
                    + "\"instructions\":\"Be brief.\",\"output_modalities\":[\"text\"],\"tools\":[],"
                    + "\"tool_choice\":\"auto\",\"max_output_tokens\":64}}",
            "{\"type\":\"conversation.item.create\",\"event_id\":\"evt_ic\",\"item\":{\"type\":\"message\","
                    + "\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"hello\"}]}}",
            "{\"type\":\"response.create\",\"event_id\":\"evt_rc\",\"response\":{\"instructions\":\"x\","
                    + "\"conversation\":\"none\",\"input\":[{\"type\":\"message\",\"role\":\"user\",\"content\":"
                    + "[{\"type\":\"input_text\",\"text\":\"hi\"}]}],\"output_modalities\":[\"text\"],"
                    + "\"max_output_tokens\":16,\"metadata\":{\"sim_tokens\":\"2\",\"sim_ttft_ms\":\"0\","
                    + "\"sim_tokens_per_second\":\"1000\"}}}",
            "{\"type\":\"response.cancel\",\"event_id\":\"evt_cx\"}",
            "{\"type\":\"input_audio_buffer.append\",\"event_id\":\"evt_ap\",\"audio\":\"AAAAAAAAAAA=\"}");

    private static final List<String> NON_OBJECT_JSON = List.of("[]", "[1,2,3]", "null", "true", "false", "0", "-1",
            "1e999", "\"response.create\"", "[{\"type\":\"response.create\"}]", "  42  ", "[[[[[[[[[[]]]]]]]]]]");
    private static final List<String> BAD_TYPE_SCALARS = List.of("\"\"", "5", "-0.5", "true", "false", "1e400");
    private static final List<String> BAD_TYPE_CONTAINERS = List.of("[]", "[\"response.create\"]", "{}",
            "{\"type\":\"response.create\"}");
    private static final List<String> BAD_EVENT_ID_VALUES = List.of("5", "true", "[]", "{}", "[\"evt\"]", "0.1");
    private static final List<String> TRAILERS = List.of(" {}", "x", "}", "]", " 1", ",", "{\"type\":\"x\"}",
            " null", "\"\"");

    private final SplittableRandom random;
    private final Mutator mutator;
    private final boolean forRelay;

    /**
     * @param random the seeded source
     * @param forRelay whether the frames go to a relayed session: envelopes that a relayed session answers with
     *     another code than the docs give ({@link KnownDefects}) are then left out, until those defects are fixed
     */
    FrameGenerator(SplittableRandom random, boolean forRelay) {
        this.random = random;
        this.mutator = new Mutator(random);
        this.forRelay = forRelay;
    }

    /** One frame of any kind, weighted towards the mutated events where most of the logic lives. */
    Frame next() {
        int roll = random.nextInt(100);
        if (roll < 6) {
            return randomBinary();
        } else if (roll < 14) {
            return randomText();
        } else if (roll < 18) {
            return nonObjectJson();
        } else if (roll < 32) {
            return brokenEnvelope();
        } else if (roll < 40) {
            return truncated();
        } else if (roll < 84) {
            return mutated();
        } else if (roll < 90) {
            return unknownType();
        } else if (roll < 96) {
            return valid();
        } else {
            return aroundTheLimit();
        }
    }

    /** A binary frame of random bytes, empty to 64 KiB. */
    Frame randomBinary() {
        int length = random.nextInt(10) == 0 ? random.nextInt(64 * 1024) : random.nextInt(64);
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return Frame.binary("random binary", bytes);
    }

    /** Random characters that cannot make a JSON object: refused as {@code invalid_json}. */
    Frame randomText() {
        String text = Chars.randomString(random, random.nextInt(5) == 0 ? 4000 : 60);
        String stripped = text.replaceFirst("^[ \\t\\r\\n\\uFEFF]*", "");
        if (stripped.startsWith("{")) {
            text = "x" + text;
        }
        return Frame.text("random text", text, Expect.envelope("invalid_json"));
    }

    Frame nonObjectJson() {
        return Frame.text("JSON that is not an object", pick(NON_OBJECT_JSON), Expect.envelope("invalid_json"));
    }

    /**
     * An envelope the docs give an exact code for: type missing or null, type or event_id of the wrong type,
     * trailing content; with random unknown fields around it (which must not change the answer).
     */
    Frame brokenEnvelope() {
        boolean nullType = !(forRelay && KnownDefects.RELAY_NULL_TYPE_IS_INVALID_VALUE);
        int kind = random.nextInt(nullType ? 6 : 5);
        String extra = extraFields();
        boolean containers = !(forRelay && KnownDefects.RELAY_CONTAINER_TYPE_IS_INVALID_JSON) && random.nextBoolean();
        return switch (kind) {
            case 0 -> Frame.text("no type", "{" + extra + "\"event_id\":\"evt_nt\"}",
                    Expect.envelope("missing_required_parameter"));
            case 1 -> Frame.text("type of the wrong type", "{" + extra + "\"type\":"
                    + pick(containers ? BAD_TYPE_CONTAINERS : BAD_TYPE_SCALARS) + "}",
                    Expect.envelope("invalid_value"));
            case 2 -> Frame.text("event_id of the wrong type", "{" + extra + "\"type\":\"response.cancel\","
                    + "\"event_id\":" + pick(BAD_EVENT_ID_VALUES) + "}", Expect.envelope("invalid_value"));
            case 3 -> Frame.text("content after the object", pick(TEMPLATES) + pick(TRAILERS),
                    Expect.envelope("invalid_json"));
            case 4 -> Frame.text("empty object", "{" + (extra.isEmpty() ? "" : extra.substring(0, extra.length() - 1))
                    + "}", Expect.envelope("missing_required_parameter"));
            default -> Frame.text("null type", "{" + extra + "\"type\":null,\"event_id\":\"evt_null\"}",
                    Expect.envelope("missing_required_parameter"));
        };
    }

    /** Zero to three unknown fields, each followed by a comma. */
    private String extraFields() {
        StringBuilder out = new StringBuilder();
        int count = random.nextInt(4);
        for (int i = 0; i < count; i++) {
            out.append("\"x_").append(i).append("\":").append(mutator.randomJson(2).toString()).append(',');
        }
        return out.toString();
    }

    /** A strict prefix of a valid event: never valid JSON. */
    Frame truncated() {
        String template = pick(TEMPLATES);
        int cut = random.nextInt(template.length());
        return Frame.text("truncated at " + cut, template.substring(0, cut), Expect.envelope("invalid_json"));
    }

    /** A valid event with one to three mutations: either refused with a documented code, or accepted. */
    Frame mutated() {
        String template = pick(TEMPLATES);
        Mutator.Result result = mutator.mutate(template, 1 + random.nextInt(3));
        return Frame.text("mutated " + result.applied(), result.text(), Expect.either());
    }

    /** A type no session kind models, or a server event's type sent by the client. */
    Frame unknownType() {
        String type = pick(List.of("vendor.thing", "response.done", "session.created", "error", "Response.Create",
                " response.create", "response.create ", "conversation.item.delete", "x".repeat(300),
                "conversation.item.truncate", "transcription_session.update", "\\u0000"));
        ObjectNode event = Mutator.JSON.createObjectNode().put("type", type.equals("\\u0000") ? "\u0000" : type)
                .put("event_id", "evt_unknown");
        return Frame.text("unknown type", event.toString(), Expect.error("unknown_event_type"));
    }

    /** An unmodified template: a valid event (accepted, or refused for the session's state). */
    Frame valid() {
        return Frame.text("valid", pick(TEMPLATES), Expect.either());
    }

    /**
     * A {@code conversation.item.create} of a chosen UTF-8 size around the limit, padded with one-, two-, three- or
     * four-byte characters so the byte count is tested, not the character count.
     */
    Frame aroundTheLimit() {
        int limit = AbuseBroker.MAX_FRAME_BYTES;
        int bytes = switch (random.nextInt(4)) {
            case 0 -> limit + random.nextInt(7) - 3;
            case 1 -> limit - random.nextInt(64 * 1024);
            case 2 -> limit + 1 + random.nextInt(64 * 1024);
            default -> limit + 1 + random.nextInt(1 << 20);
        };
        return sized(bytes, pick(List.of("x", "é", "€", "😀")));
    }

    /** A valid item of exactly {@code bytes} UTF-8 bytes padded with {@code pad}; refused above the limit. */
    static Frame sized(int bytes, String pad) {
        String prefix = "{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"message\",\"role\":\"user\","
                + "\"content\":[{\"type\":\"input_text\",\"text\":\"";
        String suffix = "\"}]}}";
        int room = bytes - prefix.length() - suffix.length();
        int padBytes = pad.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        StringBuilder text = new StringBuilder(bytes);
        text.append(prefix).append(pad.repeat(room / padBytes)).append("x".repeat(room % padBytes)).append(suffix);
        Expect expect = bytes > AbuseBroker.MAX_FRAME_BYTES ? Expect.envelope("frame_too_large") : Expect.accepted();
        return Frame.text(bytes + " bytes of '" + pad + "'", text.toString(), expect);
    }

    private <T> T pick(List<T> options) {
        return options.get(random.nextInt(options.size()));
    }
}
