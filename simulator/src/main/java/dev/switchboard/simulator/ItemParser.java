package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Validates a Realtime conversation item ({@code conversation.item.create}'s {@code item}, or an entry of
 * {@code response.create}'s {@code response.input}) into a {@link RealtimeItem}. Messages are {@code user}
 * ({@code input_text}, {@code input_audio}, {@code input_image} parts), {@code system} ({@code input_text}) or
 * {@code assistant} ({@code output_text}, or the older {@code text}, and {@code output_audio}). Errors name the
 * field under the given parameter prefix. Stateless and thread-safe.
 */
final class ItemParser {

    /** The largest audio payload one event may carry, decoded. */
    static final int MAX_AUDIO_BYTES = 15 * 1024 * 1024;

    private static final Map<String, Set<String>> PART_TYPES = Map.of(
            "user", Set.of("input_text", "input_audio", "input_image"),
            "system", Set.of("input_text"),
            "assistant", Set.of("output_text", "text", "output_audio"));

    private ItemParser() {
    }

    /**
     * Parses {@code node}; the item keeps a client-given {@code id}, else gets {@code newId}'s. Input audio is
     * measured in {@code inputFormat}.
     */
    static ParseResult<RealtimeItem> parse(JsonNode node, String param, AudioFormat inputFormat,
            Supplier<String> newId) {
        JsonFields fields = new JsonFields();
        if (!node.isObject()) {
            fields.fail(OpenAiError.invalidType(param, "an object"));
            return fields.invalid();
        }
        String type = fields.requiredString(node.path("type"), param + ".type");
        String id = fields.string(node.path("id"), param + ".id").orElseGet(newId);
        if (fields.failed()) {
            return fields.invalid();
        }
        return switch (type) {
            case RealtimeItem.MESSAGE -> message(node, param, id, inputFormat, fields);
            case RealtimeItem.FUNCTION_CALL -> {
                String name = fields.requiredString(node.path("name"), param + ".name");
                String callId = fields.string(node.path("call_id"), param + ".call_id").orElse("call_" + id);
                String arguments = fields.string(node.path("arguments"), param + ".arguments").orElse("");
                yield fields.result(() -> RealtimeItem.functionCall(id, name, callId, arguments,
                        RealtimeItem.COMPLETED));
            }
            case RealtimeItem.FUNCTION_CALL_OUTPUT -> {
                String callId = fields.requiredString(node.path("call_id"), param + ".call_id");
                String output = fields.requiredString(node.path("output"), param + ".output");
                yield fields.result(() -> RealtimeItem.functionCallOutput(id, callId, output));
            }
            default -> ParseResult.invalid(OpenAiError.invalidValue(param + ".type",
                    "expected message, function_call or function_call_output"));
        };
    }

    /**
     * Decodes a base64 audio payload of {@code format}: not empty, at most {@value #MAX_AUDIO_BYTES} bytes decoded,
     * whole samples. Errors name {@code param}.
     */
    static ParseResult<byte[]> decodeAudio(String base64, String param, AudioFormat format) {
        if (base64.length() > MAX_AUDIO_BYTES / 3 * 4 + 4) {
            return ParseResult.invalid(OpenAiError.invalidValue(param, "audio is larger than "
                    + MAX_AUDIO_BYTES + " bytes"));
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            return ParseResult.invalid(OpenAiError.invalidValue(param, "expected base64-encoded audio"));
        }
        if (bytes.length == 0 || bytes.length % format.bytesPerSample() != 0) {
            return ParseResult.invalid(OpenAiError.invalidValue(param, "expected a whole number of "
                    + format.wireName() + " samples"));
        }
        return ParseResult.valid(bytes);
    }

    /** Milliseconds of {@code bytes} of audio in {@code format}, rounded down. */
    static long durationMs(int bytes, AudioFormat format) {
        return (long) bytes / format.bytesPerSample() * 1000 / format.sampleRate();
    }

    private static ParseResult<RealtimeItem> message(JsonNode node, String param, String id, AudioFormat format,
            JsonFields fields) {
        String role = fields.requiredString(node.path("role"), param + ".role");
        if (fields.failed()) {
            return fields.invalid();
        }
        Set<String> partTypes = PART_TYPES.get(role);
        if (partTypes == null) {
            return ParseResult.invalid(OpenAiError.invalidValue(param + ".role", "expected user, assistant or system"));
        }
        JsonNode content = node.path("content");
        if (!content.isArray()) {
            return ParseResult.invalid(JsonFields.present(content)
                    ? OpenAiError.invalidType(param + ".content", "an array")
                    : OpenAiError.missingParameter(param + ".content"));
        }
        List<ContentPart> parts = new ArrayList<>();
        for (int i = 0; i < content.size(); i++) {
            String partParam = param + ".content[" + i + "]";
            part(content.get(i), partParam, partTypes, format, fields).ifPresent(parts::add);
        }
        return fields.result(() -> RealtimeItem.message(id, role, parts, RealtimeItem.COMPLETED));
    }

    private static Optional<ContentPart> part(JsonNode part, String param, Set<String> allowed, AudioFormat format,
            JsonFields fields) {
        String type = fields.requiredString(part.path("type"), param + ".type");
        if (fields.failed()) {
            return Optional.empty();
        }
        if (!allowed.contains(type)) {
            fields.fail(OpenAiError.invalidValue(param + ".type", "expected one of " + String.join(", ", allowed)));
            return Optional.empty();
        }
        return switch (type) {
            case "input_image" -> Optional.of(ContentPart.text(type, ""));
            case "input_audio" -> inputAudio(part, param, format, fields);
            case "output_audio" -> {
                ContentPart audio = ContentPart.outputAudio();
                audio.append(fields.string(part.path("transcript"), param + ".transcript").orElse(""));
                yield Optional.of(audio);
            }
            default -> Optional.of(ContentPart.text(type.equals("text") ? "output_text" : type,
                    fields.requiredString(part.path("text"), param + ".text")));
        };
    }

    private static Optional<ContentPart> inputAudio(JsonNode part, String param, AudioFormat format,
            JsonFields fields) {
        Optional<String> transcript = fields.string(part.path("transcript"), param + ".transcript");
        Optional<String> audio = fields.string(part.path("audio"), param + ".audio");
        byte[] bytes = new byte[0];
        if (audio.isPresent()) {
            bytes = fields.take(decodeAudio(audio.get(), param + ".audio", format)).orElse(bytes);
        }
        return Optional.of(ContentPart.inputAudio(transcript.orElse(null), durationMs(bytes.length, format),
                AudioFingerprint.of(bytes)));
    }
}
