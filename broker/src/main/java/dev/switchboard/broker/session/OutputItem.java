package dev.switchboard.broker.session;

import dev.switchboard.broker.policy.OutputPolicer;
import dev.switchboard.protocol.event.ContentPart;
import dev.switchboard.protocol.event.ConversationItem;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** One output item of a response being built: a text message or a function call. Shard thread only. */
final class OutputItem {
    final int outputIndex;
    final String itemId;
    final boolean functionCall;
    final String callId;
    final String name;
    final StringBuilder text = new StringBuilder();
    /** Deltas appended to {@link #text}: each carries at least one token. */
    int deltas;
    boolean open = true;
    boolean abandoned;
    /** Polices the item's text or arguments before the client sees them, when the tenant has an output policy. */
    @Nullable OutputPolicer policer;
    String status = "in_progress";

    private OutputItem(int outputIndex, boolean functionCall, String callId, String name) {
        this(outputIndex, Ids.next("item_"), functionCall, callId, name);
    }

    private OutputItem(int outputIndex, String itemId, boolean functionCall, String callId, String name) {
        this.outputIndex = outputIndex;
        this.itemId = itemId;
        this.functionCall = functionCall;
        this.callId = callId;
        this.name = name;
    }

    static OutputItem message(int outputIndex) {
        return new OutputItem(outputIndex, false, "", "");
    }

    static OutputItem functionCall(int outputIndex, String callId, String name) {
        return new OutputItem(outputIndex, true, callId, name);
    }

    /** An item of a response taken over from another node, as its mirrored frames left it (issue 17). */
    static OutputItem restored(Takeover.Item from) {
        OutputItem item = new OutputItem(from.outputIndex(), from.itemId(), from.functionCall(), from.callId(),
                from.name());
        item.text.append(from.text());
        item.deltas = from.deltas();
        item.open = from.open();
        item.status = from.status();
        item.abandoned = from.abandoned();
        return item;
    }

    /** The item as the client sees it; for a message, with its text so far when {@code withContent}. */
    ConversationItem toItem(boolean withContent) {
        if (functionCall) {
            return new ConversationItem(Optional.of(itemId), "function_call", Optional.of("realtime.item"),
                    Optional.of(status), Optional.empty(), List.of(), Optional.of(callId), Optional.of(name),
                    Optional.of(withContent ? text.toString() : ""), Optional.empty());
        }
        return ConversationItem.message(itemId, "assistant", status,
                withContent ? List.of(ContentPart.text("output_text", text.toString())) : List.of());
    }
}
