package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Builds the GA {@code realtime.response} object of {@code response.created} and {@code response.done}.
 * Stateless.
 */
final class ResponseObject {

    static final String IN_PROGRESS = "in_progress";
    static final String COMPLETED = "completed";
    static final String INCOMPLETE = "incomplete";
    static final String CANCELLED = "cancelled";
    static final String FAILED = "failed";

    private ResponseObject() {
    }

    /**
     * The response object.
     *
     * @param output         the output item, when it has been added
     * @param conversationId {@code conv_…} when the response writes to the default conversation
     * @param statusDetails  {@code status_details}; {@code null} for {@code in_progress} and {@code completed}
     * @param usage          {@code usage}; {@code null} while in progress
     */
    static ObjectNode of(String id, String status, @Nullable ObjectNode statusDetails, Optional<RealtimeItem> output,
            @Nullable String conversationId, ResponseSpec spec, @Nullable ObjectNode usage) {
        ObjectNode response = SimulatorJson.object();
        response.put("object", "realtime.response");
        response.put("id", id);
        response.put("status", status);
        response.set("status_details", statusDetails);
        output.ifPresentOrElse(item -> response.putArray("output").add(item.toJson()),
                () -> response.putArray("output"));
        response.put("conversation_id", conversationId);
        response.putArray("output_modalities").add(spec.modality().wireName());
        SessionSettings.putMaxOutputTokens(response, spec.maxOutputTokens());
        ObjectNode audioOutput = response.putObject("audio").putObject("output");
        audioOutput.set("format", spec.outputFormat().toJson());
        audioOutput.set("voice", spec.voice().deepCopy());
        response.set("usage", usage);
        response.set("metadata", metadata(spec.metadata()));
        return response;
    }

    /** {@code status_details} of an ended response: {@code {"type":status,"reason":reason}}. */
    static ObjectNode details(String status, String reason) {
        ObjectNode details = SimulatorJson.object();
        details.put("type", status);
        details.put("reason", reason);
        return details;
    }

    /** {@code status_details} of a failed response: {@code {"type":"failed","error":{"type","code"}}}. */
    static ObjectNode failure(String errorType, String code) {
        ObjectNode details = SimulatorJson.object();
        details.put("type", FAILED);
        details.putObject("error").put("type", errorType).put("code", code);
        return details;
    }

    static ObjectNode usage(int inputTokens, int outputTokens) {
        ObjectNode usage = SimulatorJson.object();
        usage.put("total_tokens", (long) inputTokens + outputTokens);
        usage.put("input_tokens", inputTokens);
        usage.put("output_tokens", outputTokens);
        return usage;
    }

    private static @Nullable ObjectNode metadata(Map<String, String> metadata) {
        if (metadata.isEmpty()) {
            return null;
        }
        ObjectNode json = SimulatorJson.object();
        metadata.forEach(json::put);
        return json;
    }
}
