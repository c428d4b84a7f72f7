package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The effective configuration of one Realtime session, as {@code session.created} and {@code session.updated}
 * show it. Immutable: a {@code session.update} makes a new instance ({@link SessionUpdate}). The JSON fields are
 * private copies and never modified.
 *
 * @param id                the {@code sess_…} id
 * @param model             the model chosen when connecting
 * @param instructions      the system instructions, empty for none
 * @param modality          the default output modality of responses
 * @param tools             function tools in Realtime's flat shape
 * @param toolChoice        {@code "auto"}, {@code "none"}, {@code "required"} or a function object
 * @param maxOutputTokens   the per-response output cap; empty for {@code "inf"}
 * @param inputFormat       the format of appended input audio
 * @param turnDetection     server VAD, or empty when turn detection is off
 * @param transcription     {@code audio.input.transcription}, echoed only
 * @param noiseReduction    {@code audio.input.noise_reduction}, echoed only
 * @param outputFormat      the format of response audio
 * @param voice             {@code audio.output.voice}: a name or a custom voice object; echoed only
 * @param speed             {@code audio.output.speed}; echoed only
 */
record SessionSettings(String id, String model, String instructions, Modality modality, ArrayNode tools,
        JsonNode toolChoice, OptionalInt maxOutputTokens, AudioFormat inputFormat,
        Optional<TurnDetection> turnDetection, JsonNode transcription, JsonNode noiseReduction,
        AudioFormat outputFormat, JsonNode voice, double speed) {

    static final String DEFAULT_VOICE = "alloy";
    /** How long a session is said to live; the simulator does not enforce it. */
    static final long LIFETIME_SECONDS = 3_600;

    SessionSettings {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(instructions, "instructions");
        Objects.requireNonNull(modality, "modality");
        Objects.requireNonNull(tools, "tools");
        Objects.requireNonNull(toolChoice, "toolChoice");
        Objects.requireNonNull(maxOutputTokens, "maxOutputTokens");
        Objects.requireNonNull(inputFormat, "inputFormat");
        Objects.requireNonNull(turnDetection, "turnDetection");
        Objects.requireNonNull(transcription, "transcription");
        Objects.requireNonNull(noiseReduction, "noiseReduction");
        Objects.requireNonNull(outputFormat, "outputFormat");
        Objects.requireNonNull(voice, "voice");
    }

    /**
     * A new session's settings: no instructions, text output, no tools, {@code tool_choice: auto}, no output cap,
     * PCM in and out, turn detection off, voice {@value #DEFAULT_VOICE}.
     */
    static SessionSettings defaults(String id, String model) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        return new SessionSettings(id, model, "", Modality.TEXT, nodes.arrayNode(), nodes.textNode("auto"),
                OptionalInt.empty(), AudioFormat.PCM, Optional.empty(), nodes.nullNode(), nodes.nullNode(),
                AudioFormat.PCM, nodes.textNode(DEFAULT_VOICE), 1.0);
    }

    List<String> toolNames() {
        return JsonFields.toolNames(tools);
    }

    /** The GA {@code session} object; {@code createdEpochSeconds} dates its {@code expires_at}. */
    ObjectNode toJson(long createdEpochSeconds) {
        ObjectNode session = SimulatorJson.object();
        session.put("type", "realtime");
        session.put("object", "realtime.session");
        session.put("id", id);
        session.put("model", model);
        session.putArray("output_modalities").add(modality.wireName());
        session.put("instructions", instructions);
        session.set("tools", tools.deepCopy());
        session.set("tool_choice", toolChoice.deepCopy());
        putMaxOutputTokens(session, maxOutputTokens);
        ObjectNode audio = session.putObject("audio");
        ObjectNode input = audio.putObject("input");
        input.set("format", inputFormat.toJson());
        input.set("transcription", transcription.deepCopy());
        input.set("noise_reduction", noiseReduction.deepCopy());
        input.set("turn_detection", turnDetection.<JsonNode>map(TurnDetection::toJson)
                .orElse(JsonNodeFactory.instance.nullNode()));
        ObjectNode output = audio.putObject("output");
        output.set("format", outputFormat.toJson());
        output.set("voice", voice.deepCopy());
        output.put("speed", speed);
        session.putNull("tracing");
        session.putNull("prompt");
        session.putNull("include");
        session.put("expires_at", createdEpochSeconds + LIFETIME_SECONDS);
        return session;
    }

    /** Writes {@code max_output_tokens}: the number, or {@code "inf"}. */
    static void putMaxOutputTokens(ObjectNode target, OptionalInt maxOutputTokens) {
        if (maxOutputTokens.isPresent()) {
            target.put("max_output_tokens", maxOutputTokens.getAsInt());
        } else {
            target.put("max_output_tokens", "inf");
        }
    }
}
