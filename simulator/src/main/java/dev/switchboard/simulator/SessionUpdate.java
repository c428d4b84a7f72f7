package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Applies a {@code session.update} event to {@link SessionSettings}: the {@code session} object is a patch, so
 * absent fields keep their values, and the update is all or nothing. {@code session.type} must be
 * {@code "realtime"}; the model is fixed when connecting (naming another one is an error). Unknown fields are
 * ignored. Stateless and thread-safe.
 */
final class SessionUpdate {

    private SessionUpdate() {
    }

    static ParseResult<SessionSettings> apply(SessionSettings current, JsonNode event) {
        JsonNode session = event.path("session");
        JsonFields fields = new JsonFields();
        if (!JsonFields.present(session)) {
            fields.fail(OpenAiError.missingParameter("session"));
            return fields.invalid();
        }
        if (!session.isObject()) {
            fields.fail(OpenAiError.invalidType("session", "an object"));
            return fields.invalid();
        }
        String type = fields.requiredString(session.path("type"), "session.type");
        if (!fields.failed() && !"realtime".equals(type)) {
            fields.fail(OpenAiError.invalidValue("session.type", "the simulator supports realtime sessions only"));
        }
        Optional<String> model = fields.string(session.path("model"), "session.model");
        if (model.isPresent() && !model.get().equals(current.model())) {
            fields.fail(OpenAiError.invalidValue("session.model", "the model is chosen when connecting"));
        }
        String instructions = fields.string(session.path("instructions"), "session.instructions")
                .orElse(current.instructions());
        Modality modality = fields.modality(session.path("output_modalities"), "session.output_modalities")
                .orElse(current.modality());
        ArrayNode tools = fields.tools(session.path("tools"), "session.tools").orElse(current.tools());
        JsonNode toolChoice = fields.toolChoice(session.path("tool_choice"), "session.tool_choice")
                .orElse(current.toolChoice());
        OptionalInt maxOutputTokens = fields.maxOutputTokens(session.path("max_output_tokens"),
                "session.max_output_tokens").orElse(current.maxOutputTokens());
        JsonNode audio = session.path("audio");
        if (JsonFields.present(audio) && !audio.isObject()) {
            fields.fail(OpenAiError.invalidType("session.audio", "an object"));
        }
        Input input = input(current, audio.path("input"), fields);
        Output output = output(current, audio.path("output"), fields);
        return fields.result(() -> new SessionSettings(current.id(), current.model(), instructions, modality, tools,
                toolChoice, maxOutputTokens, input.format(), input.turnDetection(), input.transcription(),
                input.noiseReduction(), output.format(), output.voice(), output.speed()));
    }

    private record Input(AudioFormat format, Optional<TurnDetection> turnDetection, JsonNode transcription,
            JsonNode noiseReduction) {
    }

    private record Output(AudioFormat format, JsonNode voice, double speed) {
    }

    private static Input input(SessionSettings current, JsonNode input, JsonFields fields) {
        String param = "session.audio.input";
        if (JsonFields.present(input) && !input.isObject()) {
            fields.fail(OpenAiError.invalidType(param, "an object"));
        }
        AudioFormat format = format(input.path("format"), param + ".format", fields).orElse(current.inputFormat());
        Optional<TurnDetection> turnDetection = current.turnDetection();
        JsonNode detection = input.path("turn_detection");
        if (!detection.isMissingNode()) {
            turnDetection = fields.take(TurnDetection.parse(detection, param + ".turn_detection"))
                    .orElse(turnDetection);
        }
        JsonNode transcription = objectOrNull(input.path("transcription"), param + ".transcription", fields)
                .orElse(current.transcription());
        JsonNode noiseReduction = objectOrNull(input.path("noise_reduction"), param + ".noise_reduction", fields)
                .orElse(current.noiseReduction());
        return new Input(format, turnDetection, transcription, noiseReduction);
    }

    private static Output output(SessionSettings current, JsonNode output, JsonFields fields) {
        String param = "session.audio.output";
        if (JsonFields.present(output) && !output.isObject()) {
            fields.fail(OpenAiError.invalidType(param, "an object"));
        }
        AudioFormat format = format(output.path("format"), param + ".format", fields).orElse(current.outputFormat());
        JsonNode voice = output.path("voice");
        if (JsonFields.present(voice) && !voice.isTextual() && !voice.path("id").isTextual()) {
            fields.fail(OpenAiError.invalidType(param + ".voice", "a voice name or {\"id\":…}"));
        }
        JsonNode speed = output.path("speed");
        if (JsonFields.present(speed) && !(speed.isNumber() && speed.asDouble() >= 0.25 && speed.asDouble() <= 1.5)) {
            fields.fail(OpenAiError.invalidValue(param + ".speed", "expected a number from 0.25 to 1.5"));
        }
        return new Output(format, JsonFields.present(voice) ? voice.deepCopy() : current.voice(),
                JsonFields.present(speed) ? speed.asDouble() : current.speed());
    }

    private static Optional<AudioFormat> format(JsonNode node, String param, JsonFields fields) {
        if (!JsonFields.present(node)) {
            return Optional.empty();
        }
        return fields.take(AudioFormat.parse(node, param));
    }

    /** A field that is an object or an explicit {@code null} (which switches the feature off). */
    private static Optional<JsonNode> objectOrNull(JsonNode node, String param, JsonFields fields) {
        if (node.isMissingNode()) {
            return Optional.empty();
        }
        if (!node.isNull() && !node.isObject()) {
            fields.fail(OpenAiError.invalidType(param, "an object or null"));
            return Optional.empty();
        }
        return Optional.of(node.deepCopy());
    }
}
