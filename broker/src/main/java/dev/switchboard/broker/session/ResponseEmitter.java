package dev.switchboard.broker.session;

import dev.switchboard.bridge.upstream.UpstreamEvent;
import dev.switchboard.bridge.upstream.UpstreamOutcome;
import dev.switchboard.broker.metrics.BrokerMetrics;
import dev.switchboard.broker.notice.Notices;
import dev.switchboard.broker.policy.ContentPolicy;
import dev.switchboard.broker.policy.Match;
import dev.switchboard.broker.policy.OutputPolicer;
import dev.switchboard.protocol.event.ContentPart;
import dev.switchboard.protocol.event.ConversationItem;
import dev.switchboard.protocol.event.ErrorDetail;
import dev.switchboard.protocol.event.RealtimeResponse;
import dev.switchboard.protocol.event.ResponseContentPartAdded;
import dev.switchboard.protocol.event.ResponseContentPartDone;
import dev.switchboard.protocol.event.ResponseCreated;
import dev.switchboard.protocol.event.ResponseDone;
import dev.switchboard.protocol.event.ResponseFailover;
import dev.switchboard.protocol.event.ResponseFunctionCallArgumentsDelta;
import dev.switchboard.protocol.event.ResponseFunctionCallArgumentsDone;
import dev.switchboard.protocol.event.ResponseOutputItemAdded;
import dev.switchboard.protocol.event.ResponseOutputItemDone;
import dev.switchboard.protocol.event.ResponseOutputTextDelta;
import dev.switchboard.protocol.event.ResponseOutputTextDone;
import dev.switchboard.protocol.event.ServerEvent;
import dev.switchboard.protocol.event.StatusDetails;
import dev.switchboard.protocol.event.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Emits a response's events in Realtime order: {@code response.created}; per output item
 * {@code response.output_item.added}, then for a message {@code response.content_part.added}, the text deltas,
 * {@code response.output_text.done}, {@code response.content_part.done}, or for a function call the argument
 * deltas and {@code response.function_call_arguments.done}; then {@code response.output_item.done}; and last
 * {@code response.done}. Shard thread only.
 */
final class ResponseEmitter {
    private final Consumer<ServerEvent> emit;
    private final BrokerMetrics metrics;
    private final ResponseHooks hooks;
    private final java.time.InstantSource clock;
    private final Optional<ContentPolicy> policy;
    private final Notices notices;

    ResponseEmitter(Consumer<ServerEvent> emit, BrokerMetrics metrics, ResponseHooks hooks,
                    java.time.InstantSource clock, Optional<ContentPolicy> policy, Notices notices) {
        this.emit = emit;
        this.metrics = metrics;
        this.hooks = hooks;
        this.clock = clock;
        this.policy = policy.filter(ContentPolicy::policesOutput);
        this.notices = notices;
    }

    /**
     * {@code response.created}; {@code model} is the upstream model of the first target asked (absent when none is
     * available), so clients that report the answering model (chat completions) know it from the first chunk.
     */
    void created(ResponseRun run, Optional<String> model) {
        emit.accept(new ResponseCreated(response(run, "in_progress", Optional.empty(), List.of(), Optional.empty(),
                model)));
    }

    /** An item taken over from another node gets the policing a new one would (its released text stays as sent). */
    OutputItem adopt(OutputItem item) {
        if (item.open) {
            item.policer = policy.map(ContentPolicy::newOutput).orElse(null);
        }
        return item;
    }

    void textDelta(ResponseRun run, String text) {
        OutputItem item = run.textItem;
        if (item == null) {
            item = OutputItem.message(run.items.size());
            item.policer = policy.map(ContentPolicy::newOutput).orElse(null);
            run.items.add(item);
            run.textItem = item;
            emit.accept(new ResponseOutputItemAdded(run.id, item.outputIndex, item.toItem(false)));
            emit.accept(new ResponseContentPartAdded(run.id, item.itemId, item.outputIndex, 0,
                    ContentPart.text("text", "")));
        }
        run.deltas++;
        item.deltas++;
        // Metered as the provider produced it; sent as the policy lets it through.
        if (hooks.onOutputDelta(run.info, ResponseHooks.DeltaKind.TEXT, text, 0)
                == ResponseHooks.DeltaVerdict.BUDGET_EXHAUSTED) {
            run.budgetExhausted = true;
        }
        String released = police(run, item, text);
        if (!released.isEmpty()) {
            item.text.append(released);
            emit.accept(new ResponseOutputTextDelta(run.id, item.itemId, item.outputIndex, 0, released));
        }
    }

    void toolCallDelta(ResponseRun run, UpstreamEvent.ToolCallDelta delta) {
        OutputItem call = run.calls.get(delta.index());
        if (call == null) {
            String callId = delta.callId().isEmpty() ? Ids.next("call_") : delta.callId();
            call = OutputItem.functionCall(run.items.size(), callId, delta.name());
            call.policer = policy.map(ContentPolicy::newOutput).orElse(null);
            run.items.add(call);
            run.calls.put(delta.index(), call);
            emit.accept(new ResponseOutputItemAdded(run.id, call.outputIndex, call.toItem(false)));
        }
        if (!delta.argumentsDelta().isEmpty()) {
            run.deltas++;
            if (hooks.onOutputDelta(run.info, ResponseHooks.DeltaKind.TOOL_ARGUMENTS, delta.argumentsDelta(), 0)
                    == ResponseHooks.DeltaVerdict.BUDGET_EXHAUSTED) {
                run.budgetExhausted = true;
            }
            String released = police(run, call, delta.argumentsDelta());
            if (!released.isEmpty()) {
                call.text.append(released);
                emit.accept(new ResponseFunctionCallArgumentsDelta(run.id, call.itemId, call.outputIndex,
                        call.callId, released));
            }
        }
    }

    /** What of {@code text} may reach the client now; a {@code block} marks the run for the session to stop. */
    private String police(ResponseRun run, OutputItem item, String text) {
        OutputPolicer policer = item.policer;
        if (policer == null) {
            return text;
        }
        String released = policer.accept(text);
        announce(run, policer);
        return released;
    }

    /** Publishes the rules that matched since the last call; a block stops the response. */
    private void announce(ResponseRun run, OutputPolicer policer) {
        List<Match> matches = policer.takeMatches();
        if (matches.isEmpty()) {
            return;
        }
        new PolicyNotices(policy.orElseThrow(), run.info.session(), notices, clock, metrics)
                .announce(matches, run.id, "output");
        if (policer.blocked()) {
            run.policyBlocked = true;
        }
    }

    /** Closes every open item as {@code incomplete} and marks it abandoned: a failover restarts the answer. */
    void abandonOpenItems(ResponseRun run) {
        for (OutputItem item : run.items) {
            if (item.open) {
                closeItem(run, item, "incomplete");
                item.abandoned = true;
            }
        }
        run.textItem = null;
        run.calls.clear();
    }

    void failover(ResponseRun run, String fromProvider, String fromModel, String reason, String mode) {
        int outputIndex = mode.equals("continue") ? run.textItem.outputIndex : run.items.size();
        emit.accept(new ResponseFailover(run.id, fromProvider, fromModel, run.provider(),
                run.target().upstreamModel(), reason, mode, outputIndex));
        metrics.upstreamFailedOver(fromProvider, mode);
    }

    List<ConversationItem> closeCompleted(ResponseRun run, UpstreamOutcome.Completed completed) {
        String reason = completed.finishReason();
        boolean cut = reason.equals("length") || reason.equals("content_filter");
        Optional<StatusDetails> details = cut
                ? Optional.of(new StatusDetails("incomplete",
                Optional.of(reason.equals("length") ? "max_output_tokens" : "content_filter"), Optional.empty()))
                : Optional.empty();
        Usage usage = completed.usage();
        if (run.deltasBeforeAttempt > 0) {
            usage = Usage.of(usage.inputTokens(), usage.outputTokens() + run.deltasBeforeAttempt);
        }
        return close(run, cut ? "incomplete" : "completed", details, Optional.of(usage),
                Optional.of(completed.model()));
    }

    List<ConversationItem> closeFailed(ResponseRun run, UpstreamOutcome.Failed failed) {
        ErrorDetail error = new ErrorDetail("server_error", failed.reason().errorCode(), failed.message(),
                Optional.empty(), Optional.empty());
        return close(run, "failed", Optional.of(new StatusDetails("failed", Optional.of(failed.reason().errorCode()),
                Optional.of(error))), Optional.empty(), Optional.empty());
    }

    /** Ends the response {@code incomplete} for a broker-side {@code reason}; usage counts the deltas sent. */
    List<ConversationItem> closeIncomplete(ResponseRun run, String reason) {
        return close(run, "incomplete", Optional.of(new StatusDetails("incomplete", Optional.of(reason),
                Optional.empty())), Optional.empty(), Optional.empty());
    }

    List<ConversationItem> closeCancelled(ResponseRun run, String reason) {
        return close(run, "cancelled", Optional.of(new StatusDetails("cancelled", Optional.of(reason),
                Optional.empty())), Optional.empty(), Optional.empty());
    }

    /** Closes open items, emits {@code response.done}; returns the items that join the conversation. */
    private List<ConversationItem> close(ResponseRun run, String status, Optional<StatusDetails> details,
                                         Optional<Usage> usage, Optional<String> model) {
        List<ConversationItem> output = new ArrayList<>();
        List<ConversationItem> kept = new ArrayList<>();
        for (OutputItem item : run.items) {
            if (item.open) {
                closeItem(run, item, status.equals("completed") ? "completed" : "incomplete");
            }
            ConversationItem done = item.toItem(true);
            output.add(done);
            if (!item.abandoned) {
                kept.add(done);
            }
        }
        Usage reported = usage.orElseGet(() -> Usage.of(0, run.deltas));
        // Counted before response.done is written, so a client that saw response.done also sees the count.
        metrics.responseEnded(run.model, status);
        ResponseHooks.ResponseRecord record = record(run, status, details, reported, model);
        hooks.onResponseEnded(record);
        run.trace.ended(record);
        emit.accept(new ResponseDone(response(run, status, details, output, Optional.of(reported), model)));
        return kept;
    }

    private void closeItem(ResponseRun run, OutputItem item, String status) {
        item.open = false;
        item.status = status;
        OutputPolicer policer = item.policer;
        if (policer != null && !policer.blocked()) {
            // The end of the item: what the policer still held is policed as final and sent before the done events.
            String rest = policer.finish();
            announce(run, policer);
            if (!rest.isEmpty()) {
                item.text.append(rest);
                emit.accept(item.functionCall
                        ? new ResponseFunctionCallArgumentsDelta(run.id, item.itemId, item.outputIndex, item.callId,
                        rest) : new ResponseOutputTextDelta(run.id, item.itemId, item.outputIndex, 0, rest));
            }
        }
        String text = item.text.toString();
        if (item.functionCall) {
            emit.accept(new ResponseFunctionCallArgumentsDone(run.id, item.itemId, item.outputIndex, item.callId,
                    item.name, text));
        } else {
            emit.accept(new ResponseOutputTextDone(run.id, item.itemId, item.outputIndex, 0, text));
            emit.accept(new ResponseContentPartDone(run.id, item.itemId, item.outputIndex, 0,
                    ContentPart.text("text", text)));
        }
        emit.accept(new ResponseOutputItemDone(run.id, item.outputIndex, item.toItem(true)));
    }

    private ResponseHooks.ResponseRecord record(ResponseRun run, String status, Optional<StatusDetails> details,
                                                Usage usage, Optional<String> model) {
        long now = System.nanoTime();
        String reason = details.flatMap(StatusDetails::reason).orElse("");
        return new ResponseHooks.ResponseRecord(run.info, status, reason, usage.inputTokens(), usage.outputTokens(),
                0, 0, 0, run.attempts.current().map(t -> t.provider().name()).orElse(""), model.orElse(""),
                run.failovers, run.firstTokenNanos == 0 ? Optional.empty()
                : Optional.of(java.time.Duration.ofNanos(run.firstTokenNanos - run.requestedNanos)),
                java.time.Duration.ofNanos(now - run.requestedNanos), clock.instant());
    }

    private static RealtimeResponse response(ResponseRun run, String status, Optional<StatusDetails> details,
                                             List<ConversationItem> output, Optional<Usage> usage,
                                             Optional<String> model) {
        return new RealtimeResponse(run.id, "realtime.response", status, details, output, usage, run.metadata,
                Optional.empty(), run.modalities, model);
    }
}
