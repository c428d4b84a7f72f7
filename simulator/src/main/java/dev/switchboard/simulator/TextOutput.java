package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A text response's assistant message: one {@code output_text} part streamed as
 * {@code response.output_text.delta} events, opened by {@code response.content_part.added} and finished by
 * {@code response.output_text.done} and {@code response.content_part.done}. Confined to the connection's
 * {@link SerialExecutor}.
 */
final class TextOutput implements ResponseOutput {

    private final String responseId;
    private final RealtimeItem item;
    private final ContentPart part = ContentPart.text("output_text", "");
    private final DeltaTemplate deltas;

    /** @param stamp whether deltas carry {@code sim_stamp}'s emit time */
    TextOutput(String responseId, String itemId, boolean stamp) {
        this.responseId = responseId;
        this.item = RealtimeItem.message(itemId, "assistant", List.of(part), RealtimeItem.IN_PROGRESS);
        this.deltas = ResponseOutput.deltaTemplate("response.output_text.delta", responseId, item, stamp);
    }

    @Override
    public RealtimeItem item() {
        return item;
    }

    @Override
    public void open(ResponseFrames frames) {
        ObjectNode added = ResponseOutput.partEvent(frames, "response.content_part.added", responseId, item);
        added.putObject("part").put("type", "text").put("text", "");
        frames.add(added);
    }

    @Override
    public long emit(Token token, ResponseFrames frames) {
        part.append(token.text());
        frames.add(deltas.frame(token, frames.nextEventId()));
        return 0;
    }

    @Override
    public void close(ResponseFrames frames) {
        ObjectNode done = ResponseOutput.partEvent(frames, "response.output_text.done", responseId, item);
        done.put("text", part.text());
        frames.add(done);
        ObjectNode partDone = ResponseOutput.partEvent(frames, "response.content_part.done", responseId, item);
        partDone.putObject("part").put("type", "text").put("text", part.text());
        frames.add(partDone);
    }
}
