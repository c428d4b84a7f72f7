package dev.switchboard.loadtest;

import dev.switchboard.protocol.codec.EventCodec;
import dev.switchboard.protocol.event.ContentPart;
import dev.switchboard.protocol.event.ConversationItem;
import dev.switchboard.protocol.event.ConversationItemCreate;
import dev.switchboard.protocol.event.ResponseCancel;
import dev.switchboard.protocol.event.ResponseCreate;
import dev.switchboard.protocol.event.ResponseParams;
import dev.switchboard.protocol.event.SessionConfig;
import dev.switchboard.protocol.event.SessionUpdate;
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
 * @param resumeProbe {@code session.update} with no changes: the resume scenario's probe, answered by
 *                    {@code session.updated} after the replay
 * @param slowResponseCreate {@code response.create} of a slow session (slow-consumer scenario): a long, fast
 *                           response, never stamped
 */
record ClientFrames(String userMessage, String responseCreate, String cancel, String resumeProbe,
                    String slowResponseCreate) {
    /** The user turn every request sends; its content does not matter to the simulator's pacing. */
    static final String PROMPT = "Load test turn: please answer with a short paragraph.";
    /**
     * Constant client {@code event_id}s, so that an {@code error} names the kind of frame it is about
     * ({@code error.event_id}) without per-request JSON.
     */
    static final String MESSAGE_ID = "lt_message";
    static final String CREATE_ID = "lt_response_create";
    static final String CANCEL_ID = "lt_cancel";
    static final String PROBE_ID = "lt_resume_probe";
    static final String SLOW_CREATE_ID = "lt_slow_response_create";

    /** Frames for {@code settings}, with {@code sim_stamp} when {@code stamp}. */
    static ClientFrames of(EventCodec codec, Settings settings, boolean stamp) {
        return of(codec, metadata(settings, stamp), slowMetadata(settings));
    }

    /** Frames whose requests carry {@code metadata} (and slow requests too). */
    static ClientFrames of(EventCodec codec, Map<String, String> metadata) {
        return of(codec, metadata, metadata);
    }

    private static ClientFrames of(EventCodec codec, Map<String, String> metadata, Map<String, String> slow) {
        ConversationItem item = new ConversationItem(Optional.empty(), "message", Optional.empty(), Optional.empty(),
                Optional.of("user"), List.of(ContentPart.text("input_text", PROMPT)), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty());
        String message = codec.encodeClient(new ConversationItemCreate(MESSAGE_ID, Optional.empty(), item));
        String create = codec.encodeClient(new ResponseCreate(CREATE_ID, params(metadata)));
        String cancel = codec.encodeClient(new ResponseCancel(CANCEL_ID, Optional.empty()));
        String probe = codec.encodeClient(new SessionUpdate(PROBE_ID, SessionConfig.empty()));
        String slowCreate = codec.encodeClient(new ResponseCreate(SLOW_CREATE_ID, params(slow)));
        return new ClientFrames(message, create, cancel, probe, slowCreate);
    }

    private static ResponseParams params(Map<String, String> metadata) {
        return new ResponseParams(Optional.empty(), Optional.empty(), metadata, Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
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

    /** A slow session's response: long and fast, so that it backs up TCP quickly; no stamps. */
    static Map<String, String> slowMetadata(Settings settings) {
        Map<String, String> metadata = new LinkedHashMap<>();
        if (settings.simMetadata()) {
            metadata.put("sim_tokens", Integer.toString(settings.slow().tokens()));
            metadata.put("sim_ttft_ms", "0");
            metadata.put("sim_tokens_per_second", plain(settings.slow().tokensPerSecond()));
        }
        return metadata;
    }

    private static String plain(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
