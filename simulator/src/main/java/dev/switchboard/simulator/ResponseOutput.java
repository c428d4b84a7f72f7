package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The single output item of a Realtime response and the events its content streams as: text
 * ({@link TextOutput}) or a function call ({@link FunctionCallOutput}).
 * {@link RealtimeResponse} owns the item's lifecycle events ({@code response.output_item.added}/{@code .done}) and
 * the pacing; an output only knows its content. Not thread-safe: confined to the connection's
 * {@link SerialExecutor}.
 */
interface ResponseOutput {

    /** The output item, growing as tokens are emitted. */
    RealtimeItem item();

    /** Adds the events that open the content, sent right after the item was added. */
    void open(ResponseFrames frames);

    /** Adds one token's events and grows the item; returns the milliseconds of audio they carry. */
    long emit(Token token, ResponseFrames frames);

    /** Adds the events that finish the content (with everything emitted so far), before the item is done. */
    void close(ResponseFrames frames);

    /**
     * A new event about content part 0 of {@code item} in {@code responseId}: {@code type}, {@code event_id},
     * {@code response_id}, {@code item_id}, {@code output_index} and {@code content_index}.
     */
    static ObjectNode partEvent(ResponseFrames frames, String type, String responseId, RealtimeItem item) {
        ObjectNode event = frames.event(type);
        event.put("response_id", responseId);
        event.put("item_id", item.id());
        event.put("output_index", 0);
        event.put("content_index", 0);
        return event;
    }

    /** The template of {@code type} deltas for content part 0 of {@code item}. */
    static DeltaTemplate deltaTemplate(String type, String responseId, RealtimeItem item, boolean stamp) {
        ObjectNode fields = SimulatorJson.object();
        fields.put("type", type);
        fields.put("response_id", responseId);
        fields.put("item_id", item.id());
        fields.put("output_index", 0);
        fields.put("content_index", 0);
        return new DeltaTemplate(fields, stamp);
    }
}
