package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A tool-call response's {@code function_call} item: its arguments streamed as
 * {@code response.function_call_arguments.delta} events (the {@link ToolCall}'s fragments) and finished by
 * {@code response.function_call_arguments.done}. Confined to the connection's {@link SerialExecutor}.
 */
final class FunctionCallOutput implements ResponseOutput {

    /** The prefix of call ids, as on the chat-completions endpoint. */
    static final String CALL_ID_PREFIX = OpenAiChunkEncoder.TOOL_CALL_ID_PREFIX;

    private final String responseId;
    private final String callId;
    private final String name;
    private final RealtimeItem item;
    private final DeltaTemplate deltas;

    FunctionCallOutput(String responseId, String itemId, ToolCall call) {
        this.responseId = responseId;
        this.callId = CALL_ID_PREFIX + call.idSuffix();
        this.name = call.name();
        this.item = RealtimeItem.functionCall(itemId, name, callId, "", RealtimeItem.IN_PROGRESS);
        ObjectNode fields = SimulatorJson.object();
        fields.put("type", "response.function_call_arguments.delta");
        fields.put("response_id", responseId);
        fields.put("item_id", itemId);
        fields.put("output_index", 0);
        fields.put("call_id", callId);
        this.deltas = new DeltaTemplate(fields, false);
    }

    @Override
    public RealtimeItem item() {
        return item;
    }

    @Override
    public void open(ResponseFrames frames) {
        // A function call has no content parts: its arguments stream right after the item is added.
    }

    @Override
    public long emit(Token token, ResponseFrames frames) {
        item.appendArguments(token.text());
        frames.add(deltas.frame(token, frames.nextEventId()));
        return 0;
    }

    @Override
    public void close(ResponseFrames frames) {
        ObjectNode done = frames.event("response.function_call_arguments.done");
        done.put("response_id", responseId);
        done.put("item_id", item.id());
        done.put("output_index", 0);
        done.put("call_id", callId);
        done.put("name", name);
        done.put("arguments", item.arguments());
        frames.add(done);
    }
}
