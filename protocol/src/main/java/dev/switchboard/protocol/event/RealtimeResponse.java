package dev.switchboard.protocol.event;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Realtime {@code response} object carried by {@code response.created} and {@code response.done}.
 *
 * @param id the response id
 * @param object always {@code realtime.response}
 * @param status {@code in_progress}, {@code completed}, {@code cancelled}, {@code failed} or {@code incomplete}
 * @param statusDetails why it ended, for non-completed statuses
 * @param output the output items
 * @param usage token usage, on {@code response.done}
 * @param metadata the metadata of the {@code response.create}
 * @param conversationId the conversation the response belongs to, when it belongs to one
 * @param outputModalities the modalities produced
 * @param model Switchboard extension: the upstream model that produced the output
 */
public record RealtimeResponse(
        String id,
        String object,
        String status,
        Optional<StatusDetails> statusDetails,
        List<ConversationItem> output,
        Optional<Usage> usage,
        Map<String, String> metadata,
        Optional<String> conversationId,
        List<String> outputModalities,
        Optional<String> model) {

    public RealtimeResponse {
        id = Defaults.require(id, "response.id");
        object = object == null || object.isEmpty() ? "realtime.response" : object;
        status = Defaults.require(status, "response.status");
        statusDetails = Defaults.optional(statusDetails);
        output = Defaults.list(output);
        usage = Defaults.optional(usage);
        metadata = Defaults.map(metadata);
        conversationId = Defaults.optional(conversationId);
        outputModalities = Defaults.list(outputModalities);
        model = Defaults.optional(model);
    }
}
