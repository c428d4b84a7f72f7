package dev.switchboard.broker.session;

import dev.switchboard.bridge.upstream.UpstreamOutcome;
import dev.switchboard.broker.metrics.BrokerMetrics;
import dev.switchboard.protocol.event.ContentPart;
import dev.switchboard.protocol.event.ConversationItem;
import dev.switchboard.protocol.event.ErrorDetail;
import dev.switchboard.protocol.event.RealtimeResponse;
import dev.switchboard.protocol.event.ResponseContentPartAdded;
import dev.switchboard.protocol.event.ResponseContentPartDone;
import dev.switchboard.protocol.event.ResponseCreated;
import dev.switchboard.protocol.event.ResponseDone;
import dev.switchboard.protocol.event.ResponseOutputItemAdded;
import dev.switchboard.protocol.event.ResponseOutputItemDone;
import dev.switchboard.protocol.event.ResponseOutputTextDelta;
import dev.switchboard.protocol.event.ResponseOutputTextDone;
import dev.switchboard.protocol.event.ServerEvent;
import dev.switchboard.protocol.event.StatusDetails;
import dev.switchboard.protocol.event.Usage;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Emits a text response's events in Realtime order: {@code response.created}, then on the first delta
 * {@code response.output_item.added} and {@code response.content_part.added}, the deltas, and on close
 * {@code response.output_text.done}, {@code response.content_part.done}, {@code response.output_item.done}
 * (only when an item was opened) and {@code response.done}. Shard thread only.
 */
final class ResponseEmitter {
    private final Consumer<ServerEvent> emit;
    private final BrokerMetrics metrics;

    ResponseEmitter(Consumer<ServerEvent> emit, BrokerMetrics metrics) {
        this.emit = emit;
        this.metrics = metrics;
    }

    void created(ResponseRun run) {
        emit.accept(new ResponseCreated(response(run, "in_progress", Optional.empty(), List.of(), Optional.empty(),
                Optional.empty())));
    }

    void delta(ResponseRun run, String text) {
        if (!run.itemOpen) {
            run.itemOpen = true;
            emit.accept(new ResponseOutputItemAdded(run.id, 0, item(run, "in_progress", List.of())));
            emit.accept(new ResponseContentPartAdded(run.id, run.itemId, 0, 0, ContentPart.text("text", "")));
        }
        run.deltas++;
        run.text.append(text);
        emit.accept(new ResponseOutputTextDelta(run.id, run.itemId, 0, 0, text));
    }

    Optional<ConversationItem> closeCompleted(ResponseRun run, UpstreamOutcome.Completed completed) {
        String reason = completed.finishReason();
        boolean cut = reason.equals("length") || reason.equals("content_filter");
        Optional<StatusDetails> details = cut
                ? Optional.of(new StatusDetails("incomplete",
                Optional.of(reason.equals("length") ? "max_output_tokens" : "content_filter"), Optional.empty()))
                : Optional.empty();
        return close(run, cut ? "incomplete" : "completed", details, Optional.of(completed.usage()),
                Optional.of(completed.model()));
    }

    Optional<ConversationItem> closeFailed(ResponseRun run, UpstreamOutcome.Failed failed) {
        ErrorDetail error = new ErrorDetail("server_error", failed.reason().errorCode(), failed.message(),
                Optional.empty(), Optional.empty());
        return close(run, "failed", Optional.of(new StatusDetails("failed", Optional.of(failed.reason().errorCode()),
                Optional.of(error))), Optional.empty(), Optional.empty());
    }

    Optional<ConversationItem> closeCancelled(ResponseRun run, String reason) {
        return close(run, "cancelled", Optional.of(new StatusDetails("cancelled", Optional.of(reason),
                Optional.empty())), Optional.empty(), Optional.empty());
    }

    private Optional<ConversationItem> close(ResponseRun run, String status, Optional<StatusDetails> details,
                                             Optional<Usage> usage, Optional<String> model) {
        Optional<ConversationItem> output = Optional.empty();
        if (run.itemOpen) {
            String text = run.text.toString();
            ContentPart part = ContentPart.text("text", text);
            ConversationItem done = item(run, status.equals("completed") ? "completed" : "incomplete",
                    List.of(ContentPart.text("output_text", text)));
            emit.accept(new ResponseOutputTextDone(run.id, run.itemId, 0, 0, text));
            emit.accept(new ResponseContentPartDone(run.id, run.itemId, 0, 0, part));
            emit.accept(new ResponseOutputItemDone(run.id, 0, done));
            output = Optional.of(done);
        }
        Usage reported = usage.orElseGet(() -> Usage.of(0, run.deltas));
        // Counted before response.done is written, so a client that saw response.done also sees the count.
        metrics.responseEnded(run.model, status);
        emit.accept(new ResponseDone(response(run, status, details, output.map(List::of).orElse(List.of()),
                Optional.of(reported), model)));
        return output;
    }

    private static ConversationItem item(ResponseRun run, String status, List<ContentPart> content) {
        return ConversationItem.message(run.itemId, "assistant", status, content);
    }

    private static RealtimeResponse response(ResponseRun run, String status, Optional<StatusDetails> details,
                                             List<ConversationItem> output, Optional<Usage> usage,
                                             Optional<String> model) {
        return new RealtimeResponse(run.id, "realtime.response", status, details, output, usage, run.metadata,
                Optional.empty(), run.modalities, model);
    }
}
