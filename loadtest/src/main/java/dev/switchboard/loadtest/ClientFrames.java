package dev.switchboard.loadtest;

import dev.switchboard.protocol.codec.EventCodec;
import dev.switchboard.protocol.event.ContentPart;
import dev.switchboard.protocol.event.ConversationItem;
import dev.switchboard.protocol.event.ConversationItemCreate;
import dev.switchboard.protocol.event.ResponseCancel;
import dev.switchboard.protocol.event.ResponseCreate;
import dev.switchboard.protocol.event.ResponseParams;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The client events a run sends, encoded once with the protocol codec from its records and then reused as
 * strings: every request of a run is the same bytes, so the hot path builds no JSON. Immutable.
 *
 * @param userMessage {@code conversation.item.create} with one user text message
 * @param responseCreate {@code response.create} carrying the {@code sim_*} metadata
 * @param cancel {@code response.cancel} for the active response
 */
record ClientFrames(String userMessage, String responseCreate, String cancel) {
    /** The user turn every request sends; its content does not matter to the simulator's pacing. */
    static final String PROMPT = "Load test turn: please answer with a short paragraph.";
    /**
     * Constant client {@code event_id}s, so that an {@code error} names the kind of frame it is about
     * ({@code error.event_id}) without per-request JSON.
     */
    static final String MESSAGE_ID = "lt_message";
    static final String CREATE_ID = "lt_response_create";
    static final String CANCEL_ID = "lt_cancel";

    /** Frames for {@code settings}, with {@code sim_stamp} when {@code stamp}. */
    static ClientFrames of(EventCodec codec, Settings settings, boolean stamp) {
        return of(codec, metadata(settings, stamp));
    }

    static ClientFrames of(EventCodec codec, Map<String, String> metadata) {
        ConversationItem item = new ConversationItem(Optional.empty(), "message", Optional.empty(), Optional.empty(),
                Optional.of("user"), List.of(ContentPart.text("input_text", PROMPT)), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty());
        String message = codec.encodeClient(new ConversationItemCreate(MESSAGE_ID, Optional.empty(), item));
        ResponseParams params = new ResponseParams(Optional.empty(), Optional.empty(), metadata, Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        String create = codec.encodeClient(new ResponseCreate(CREATE_ID, params));
        String cancel = codec.encodeClient(new ResponseCancel(CANCEL_ID, Optional.empty()));
        return new ClientFrames(message, create, cancel);
    }

    /** The response metadata for {@code settings}: the simulator knobs as strings, as the contract requires. */
    static Map<String, String> metadata(Settings settings, boolean stamp) {
        Map<String, String> metadata = new LinkedHashMap<>();
        if (settings.simMetadata()) {
            metadata.put("sim_tokens", Integer.toString(settings.tokens()));
            metadata.put("sim_ttft_ms", Long.toString(settings.ttftMs()));
            metadata.put("sim_tokens_per_second", plain(settings.tokensPerSecond()));
            if (stamp) {
                metadata.put("sim_stamp", "true");
            }
        }
        return metadata;
    }

    private static String plain(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
