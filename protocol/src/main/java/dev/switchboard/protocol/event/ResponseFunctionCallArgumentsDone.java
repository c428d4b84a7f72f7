package dev.switchboard.protocol.event;

/**
 * {@code response.function_call_arguments.done}: the complete arguments of a function call.
 *
 * @param responseId the response
 * @param itemId the {@code function_call} output item
 * @param outputIndex the item's index in the response output
 * @param callId the call id
 * @param name the function name
 * @param arguments the complete JSON arguments text
 */
public record ResponseFunctionCallArgumentsDone(String responseId, String itemId, int outputIndex, String callId,
                                                String name, String arguments) implements ServerEvent {
    public ResponseFunctionCallArgumentsDone {
        Defaults.nonNull(responseId, "response_id");
        Defaults.nonNull(itemId, "item_id");
        Defaults.nonNull(callId, "call_id");
        Defaults.nonNull(name, "name");
        Defaults.nonNull(arguments, "arguments");
    }
}
