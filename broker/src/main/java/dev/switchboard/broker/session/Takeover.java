package dev.switchboard.broker.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.protocol.event.ConversationItem;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A session another node owned, as this node takes it over (issue 17): the frames its client may still be owed
 * (mirrored, with their {@code seq}), its last {@link SessionSnapshot}, and the response that was in progress
 * rebuilt from the frames after that snapshot — its open items and the text and arguments already sent — so that
 * the answer continues here from exactly what the client has (see {@code docs/scale-out.md}).
 *
 * <p>Immutable once built; built on the thread that looks the session up, used on the shard thread.
 */
public final class Takeover {
    /** One mirrored frame. */
    public record Frame(long seq, String text) {
    }

    /** An output item of the interrupted response, as its frames left it. */
    record Item(int outputIndex, String itemId, boolean functionCall, String callId, String name, String text,
                int deltas, boolean open, String status, boolean abandoned) {
    }

    /**
     * The response that was in progress: its items, and whether its {@code response.done} was already sent (the
     * owner ended it just before it was lost, and only its state change was not mirrored).
     */
    record Response(SessionSnapshot.Active active, List<Item> items, boolean done, List<ConversationItem> doneOutput,
                    int failovers) {
    }

    private final String sessionId;
    private final List<Frame> frames;
    private final SessionSnapshot snapshot;
    private final Optional<Response> response;

    private Takeover(String sessionId, List<Frame> frames, SessionSnapshot snapshot, Optional<Response> response) {
        this.sessionId = sessionId;
        this.frames = List.copyOf(frames);
        this.snapshot = snapshot;
        this.response = response;
    }

    /**
     * Rebuilds a session from what its owner mirrored.
     *
     * @param frames the mirrored frames, in order; their seqs must be contiguous
     * @throws IllegalArgumentException when the frames have a gap or the snapshot cannot be read
     */
    public static Takeover of(ObjectMapper mapper, String sessionId, String snapshotJson, List<Frame> frames) {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("no mirrored frames");
        }
        for (int i = 1; i < frames.size(); i++) {
            if (frames.get(i).seq() != frames.get(i - 1).seq() + 1) {
                throw new IllegalArgumentException("the mirrored frames have a gap after seq " + frames.get(i - 1)
                        .seq());
            }
        }
        SessionSnapshot snapshot = SessionSnapshot.parse(mapper, snapshotJson);
        Optional<Response> response = snapshot.active().map(active -> rebuild(mapper, active, frames));
        return new Takeover(sessionId, frames, snapshot, response);
    }

    /** The session's id. */
    public String sessionId() {
        return sessionId;
    }

    /** The seq of the last mirrored frame. */
    public long lastSeq() {
        return frames.get(frames.size() - 1).seq();
    }

    /** Whether a client that has everything up to {@code lastSeq} can be brought up to date from the frames. */
    public boolean canReplayAfter(long lastSeq) {
        return lastSeq <= lastSeq() && lastSeq + 1 >= frames.get(0).seq();
    }

    /** Whether a response was in progress and has to go on here. */
    public boolean responseInProgress() {
        return response.filter(r -> !r.done()).isPresent();
    }

    List<Frame> frames() {
        return frames;
    }

    SessionSnapshot snapshot() {
        return snapshot;
    }

    Optional<Response> response() {
        return response;
    }

    /** Replays the active response's frames: items added, text and arguments sent, items closed, failovers. */
    private static Response rebuild(ObjectMapper mapper, SessionSnapshot.Active active, List<Frame> frames) {
        List<MutableItem> items = new ArrayList<>();
        boolean done = false;
        int failovers = 0;
        List<ConversationItem> doneOutput = new ArrayList<>();
        String id = active.responseId();
        for (Frame frame : frames) {
            if (!frame.text().contains(id)) {
                continue;
            }
            JsonNode event = read(mapper, frame.text());
            if (!id.equals(event.path("response_id").asText(event.path("response").path("id").asText()))) {
                continue;
            }
            switch (event.path("type").asText()) {
                case "response.output_item.added" -> items.add(MutableItem.of(event));
                case "response.output_text.delta", "response.function_call_arguments.delta" ->
                        find(items, event.path("item_id").asText()).ifPresent(item -> {
                            item.text.append(event.path("delta").asText());
                            item.deltas++;
                        });
                case "response.output_item.done" -> find(items, event.path("item").path("id").asText())
                        .ifPresent(item -> {
                            item.open = false;
                            item.status = event.path("item").path("status").asText("completed");
                        });
                case "switchboard.response.failover" -> {
                    failovers++;
                    if ("restart".equals(event.path("mode").asText())) {
                        // The open items were closed incomplete just before: the answer restarted without them.
                        items.stream().filter(item -> !item.open && "incomplete".equals(item.status))
                                .forEach(item -> item.abandoned = true);
                    }
                }
                case "response.done" -> {
                    done = true;
                    for (JsonNode item : event.path("response").path("output")) {
                        doneOutput.add(treeToItem(mapper, item));
                    }
                }
                default -> {
                    // response.created, content parts, text done: nothing to rebuild from them.
                }
            }
        }
        return new Response(active, items.stream().map(MutableItem::freeze).toList(), done, doneOutput, failovers);
    }

    private static Optional<MutableItem> find(List<MutableItem> items, String itemId) {
        return items.stream().filter(item -> item.itemId.equals(itemId)).findFirst();
    }

    private static JsonNode read(ObjectMapper mapper, String text) {
        try {
            return mapper.readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("a mirrored frame is not JSON", e);
        }
    }

    private static ConversationItem treeToItem(ObjectMapper mapper, JsonNode item) {
        try {
            return mapper.treeToValue(item, ConversationItem.class);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("a mirrored output item cannot be read", e);
        }
    }

    /** An item while the frames are replayed. */
    private static final class MutableItem {
        final int outputIndex;
        final String itemId;
        final boolean functionCall;
        final String callId;
        final String name;
        final StringBuilder text = new StringBuilder();
        int deltas;
        boolean open = true;
        String status = "in_progress";
        boolean abandoned;

        private MutableItem(int outputIndex, String itemId, boolean functionCall, String callId, String name) {
            this.outputIndex = outputIndex;
            this.itemId = itemId;
            this.functionCall = functionCall;
            this.callId = callId;
            this.name = name;
        }

        static MutableItem of(JsonNode added) {
            JsonNode item = added.path("item");
            return new MutableItem(added.path("output_index").asInt(), item.path("id").asText(),
                    "function_call".equals(item.path("type").asText()), item.path("call_id").asText(),
                    item.path("name").asText());
        }

        Item freeze() {
            return new Item(outputIndex, itemId, functionCall, callId, name, text.toString(), deltas, open, status,
                    abandoned);
        }
    }
}
