package dev.switchboard.protocol.event;

/**
 * {@code response.function_call_arguments.delta}: a fragment of a function call's JSON arguments.
 *
 * @param responseId the response
 * @param itemId the {@code function_call} output item
 * @param outputIndex the item's index in the response output
 * @param callId the call id the client answers with in {@code function_call_output}
 * @param delta the arguments fragment
 */
public record ResponseFunctionCallArgumentsDelta(String responseId, String itemId, int outputIndex, String callId,
                                                 String delta) implements ServerEvent {
    public ResponseFunctionCallArgumentsDelta {
        Defaults.nonNull(responseId, "response_id");
        Defaults.nonNull(itemId, "item_id");
        Defaults.nonNull(callId, "call_id");
        Defaults.nonNull(delta, "delta");
    }

    @Override
    public boolean streamedDelta() {
        return true;
    }
}
