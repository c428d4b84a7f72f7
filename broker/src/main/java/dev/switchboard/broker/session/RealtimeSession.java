package dev.switchboard.broker.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.switchboard.bridge.upstream.Upstream;
import dev.switchboard.bridge.upstream.UpstreamEvent;
import dev.switchboard.bridge.upstream.UpstreamOutcome;
import dev.switchboard.bridge.upstream.UpstreamRequest;
import dev.switchboard.broker.policy.ContentPolicy;
import dev.switchboard.broker.route.Provider;
import dev.switchboard.broker.route.Route;
import dev.switchboard.broker.stream.Shard;
import dev.switchboard.broker.stream.UpstreamSource;
import dev.switchboard.broker.tenant.Principal;
import dev.switchboard.protocol.codec.ClientDecoding;
import dev.switchboard.protocol.event.ClientEvent;
import dev.switchboard.protocol.event.ConversationItem;
import dev.switchboard.protocol.event.ConversationItemAdded;
import dev.switchboard.protocol.event.ConversationItemCreate;
import dev.switchboard.protocol.event.ConversationItemDone;
import dev.switchboard.protocol.event.ErrorDetail;
import dev.switchboard.protocol.event.RateLimitsUpdated;
import dev.switchboard.protocol.event.ErrorEvent;
import dev.switchboard.protocol.event.ResponseCancel;
import dev.switchboard.protocol.event.ResponseCreate;
import dev.switchboard.protocol.event.ResponseParams;
import dev.switchboard.protocol.event.SessionConfig;
import dev.switchboard.protocol.event.SessionCreated;
import dev.switchboard.protocol.event.SessionUpdate;
import dev.switchboard.protocol.event.SessionUpdated;
import dev.switchboard.protocol.event.UnknownClientEvent;
import dev.switchboard.protocol.event.Usage;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * One Realtime session: configuration, conversation, the active response and the {@code seq} counter.
 *
 * <p>Confined to its shard's consumer thread (see the package documentation). The state machine is: idle, or
 * one active {@link ResponseRun}. {@code response.create} moves idle to active; the run's terminal upstream
 * event, {@code response.cancel} or the connection closing move it back. Leaving the active state emits the
 * closing events and {@code response.done} at once, and clears the active run, so anything the ring still holds
 * for that run is discarded when it arrives.
 *
 * <p>The session outlives its connection (see {@code docs/resume.md}): when a connection drops, the session keeps
 * running and logging its events ({@link SessionOutput}) until a connection resumes it ({@code RESUMED}) or the
 * store expires it ({@code EXPIRED}). Without a connection, the upstream is paused once the replay log is nearly
 * full, so nothing a resuming client is owed is evicted. A client closing normally ends the session at once.
 */
public final class RealtimeSession extends AbstractSession implements ClientEvent.Visitor<Void> {
    /** The most conversation items kept; older ones are dropped first. */
    static final int MAX_CONVERSATION_ITEMS = 1024;

    private final Route route;
    private final Conversation conversation = new Conversation(MAX_CONVERSATION_ITEMS);
    private final ResponseEmitter responses;
    private SessionConfig config;
    private long frameNanos;
    private ResponseRun active;
    /** Set while {@link #active} waits for a pending verdict (it has no upstream and sent nothing yet). */
    private Admitting admitting;
    /** Set while an upstream event is handled: ending the response must wait until its events are out. */
    private boolean handlingUpstreamEvent;
    private boolean replayLogStopPending;

    /** The response another node was running when it was lost; continued by {@link #onTakenOver()}. */
    private Takeover.Response interrupted;

    /** Creates a session for {@code tenant} on {@code route}, pinned to {@code shard}. Call from any thread. */
    public RealtimeSession(Principal principal, Route route, Shard shard, SessionContext context) {
        this(principal, route, shard, context, Optional.empty());
    }

    /**
     * Takes over the session another node owned (issue 17): its configuration, conversation and replayable frames
     * as that node mirrored them; a response it was running continues when the client's resume attaches. Call from
     * any thread; the session starts with a resume.
     */
    public RealtimeSession(Principal principal, Route route, Shard shard, SessionContext context,
                           Takeover takeover) {
        this(principal, route, shard, context, Optional.of(takeover));
    }

    private RealtimeSession(Principal principal, Route route, Shard shard, SessionContext context,
                            Optional<Takeover> takeover) {
        super(principal, route.model(), shard, context, takeover);
        this.route = route;
        this.responses = new ResponseEmitter(this::emit, context.metrics(), context.hooks(), context.clock(),
                principal.tenant().policy(), context.notices());
        this.config = new SessionConfig(Optional.of("realtime"), Optional.of("realtime.session"), Optional.of(id),
                Optional.of(route.model()), Optional.of(""), Optional.of(List.of("text")), Optional.of(List.of()),
                Optional.of(TextNode.valueOf("auto")), Optional.of(TextNode.valueOf("inf")));
        takeover.ifPresent(this::restore);
    }

    private void restore(Takeover takeover) {
        SessionSnapshot snapshot = takeover.snapshot();
        config = snapshot.config();
        snapshot.conversation().forEach(conversation::append);
        takeover.response().ifPresent(response -> {
            if (!response.done()) {
                interrupted = response;
            } else if (response.active().joinsConversation()) {
                // Ended on the lost node after its last snapshot: its answer joins the conversation here.
                java.util.Set<String> abandoned = new java.util.HashSet<>();
                response.items().stream().filter(Takeover.Item::abandoned).forEach(i -> abandoned.add(i.itemId()));
                response.doneOutput().stream().filter(item -> !abandoned.contains(item.id().orElse("")))
                        .forEach(conversation::append);
            }
        });
    }

    /**
     * The resume that took this session over has attached: a response the lost node was running goes on here, from
     * exactly what its client has — continued by assistant prefill where the target can, otherwise restarted by the
     * rules of a failover ({@code docs/failover.md}) — announced by {@code switchboard.response.failover} with reason
     * {@code node_lost}.
     */
    @Override
    void onTakenOver() {
        Takeover.Response response = interrupted;
        interrupted = null;
        if (response == null) {
            return;
        }
        SessionSnapshot.Active asked = response.active();
        ResponseRun run = new ResponseRun(this, info, shard, context.scheduler(), route, asked.request(),
                System.nanoTime(), asked.modalities(), asked.responseId());
        run.joinsConversation = asked.joinsConversation();
        run.failovers = response.failovers();
        int call = 0;
        for (Takeover.Item item : response.items()) {
            OutputItem restored = responses.adopt(OutputItem.restored(item));
            run.items.add(restored);
            run.deltas += item.deltas();
            if (restored.open && restored.functionCall) {
                run.calls.put(call++, restored);
            } else if (restored.open) {
                run.textItem = restored;
            }
        }
        // Its first token was recorded where it began; what follows is a continuation.
        run.firstTokenRecorded = run.deltas > 0;
        active = run;
        run.trace = context.tracing().response(run.info, traceParent, "chat", route.model(), run.requestedNanos);
        context.metrics().sessionTakenOver();
        ResponseAttempts.Decision decision = run.attempts.takeOver(run.output());
        if (decision instanceof ResponseAttempts.Decision.FailOver move) {
            failOver(run, move, "node_lost");
        } else {
            failResponse(run, ((ResponseAttempts.Decision.Fail) decision).failure());
        }
    }

    // ---- life cycle hooks (shard thread) ----

    @Override
    void onStarted() {
        emit(new SessionCreated(config, Optional.of(context.store().tokenFor(this))));
        mirrorState();
    }

    /**
     * Copies what another node needs to take this session over (configuration, conversation, the response in
     * progress and its request) after a change of state; never per delta. Only in a cluster (issue 17).
     */
    private void mirrorState() {
        SessionMirror mirror = mirror();
        if (mirror.active()) {
            ResponseRun run = active;
            Optional<SessionSnapshot.Active> running = run == null ? Optional.empty()
                    : Optional.of(new SessionSnapshot.Active(run.id, run.joinsConversation, run.modalities,
                    run.baseRequest()));
            mirror.state(id, new SessionSnapshot(config, conversation.items(), running)
                    .toJson(context.codec().mapper()));
        }
    }

    @Override
    boolean canMoveNodes() {
        return true;
    }

    @Override
    boolean responseInProgress() {
        return active != null;
    }

    @Override
    void onEnded(String reason) {
        if (active != null && admitting(active)) {
            abandonAdmission(active, reason);
        } else if (active != null) {
            // Nobody will read the rest: stop the provider generating.
            ResponseRun run = active;
            run.trace.cut(reason, false);
            finish(run);
            cancelUpstream(run);
            responses.closeCancelled(run, reason);
        }
    }

    @Override
    void onHandedOver() {
        ResponseRun run = active;
        if (run != null) {
            // No closing events: the node that takes the session over continues this response (Takeover).
            run.trace.cut("handed_over", false);
            active = null;
            flowTarget(null);
            cancelUpstream(run);
        }
    }

    /**
     * Detached with a nearly full replay log: pause at once, then end the response {@code incomplete}
     * ({@code replay_log_full}) and cancel its upstream, rather than hold the provider stream open for a client
     * that may never come back. A resume still gets everything up to the end, {@code response.done} included.
     */
    @Override
    void onReplayLogNearlyFull(Upstream upstream) {
        super.onReplayLogNearlyFull(upstream);
        if (handlingUpstreamEvent) {
            // Mid-way through a delta's events (an item's added, part added, delta): end after them, not between.
            replayLogStopPending = true;
        } else {
            stopForReplayLog();
        }
    }

    private void stopForReplayLog() {
        ResponseRun run = active;
        if (run == null || output.channel().isPresent() || admitting(run)) {
            return;
        }
        context.metrics().replayLogStopped();
        run.trace.cut("replay_log_full", false);
        finish(run);
        cancelUpstream(run);
        keep(run, responses.closeIncomplete(run, "replay_log_full"));
    }

    @Override
    void onRetryDue(String responseId) {
        if (active != null && active.id.equals(responseId)) {
            act(active, active.attempts.retryDue(active.output()));
        }
    }

    // ---- ring input (shard thread) ----

    @Override
    void onClientEvent(ClientDecoding frame, long receivedNanos) {
        if (frame instanceof ClientDecoding.Rejected rejected) {
            sendError(rejected.error());
            return;
        }
        frameNanos = receivedNanos;
        ((ClientDecoding.Decoded) frame).event().accept(this);
    }

    @Override
    public void onUpstreamEvent(UpstreamSource source, UpstreamEvent event) {
        handlingUpstreamEvent = true;
        try {
            handleUpstreamEvent(source, event);
        } finally {
            handlingUpstreamEvent = false;
        }
        if (replayLogStopPending) {
            replayLogStopPending = false;
            stopForReplayLog();
        }
        ResponseRun run = active;
        if (run != null && run.policyBlocked) {
            // The content policy blocked the output: nothing of the match was sent, nothing more is asked for.
            run.trace.cut("content_filter", false);
            finish(run);
            cancelUpstream(run);
            keep(run, responses.closeIncomplete(run, "content_filter"));
        } else if (run != null && run.budgetExhausted) {
            // A budget reached zero on this delta: it was sent (it is spent); nothing more is asked of the provider.
            run.trace.cut("budget_exhausted", false);
            finish(run);
            cancelUpstream(run);
            keep(run, responses.closeIncomplete(run, "budget_exhausted"));
        }
    }

    private void handleUpstreamEvent(UpstreamSource source, UpstreamEvent event) {
        ((ResponseRun) source).onConsumed(1);
        ResponseRun run = active;
        if (run == null || source != run) {
            if (!(event instanceof UpstreamEvent.End)) {
                context.metrics().deltaDiscarded();
            }
            return;
        }
        if (event instanceof UpstreamEvent.TextDelta delta) {
            recordFirstToken(run, delta.receivedNanos());
            responses.textDelta(run, delta.text());
        } else if (event instanceof UpstreamEvent.ToolCallDelta call) {
            recordFirstToken(run, call.receivedNanos());
            responses.toolCallDelta(run, call);
        } else if (event instanceof UpstreamEvent.End end) {
            onAttemptEnded(run, end.outcome());
        }
    }

    private void recordFirstToken(ResponseRun run, long receivedNanos) {
        if (!run.firstTokenRecorded) {
            run.firstTokenRecorded = true;
            long now = System.nanoTime();
            run.firstTokenNanos = now;
            context.metrics().upstreamFirstToken(run.provider(), receivedNanos - run.upstreamOpenedNanos);
            // Recorded before the first delta is handed to the connection; the difference is negligible and it
            // keeps the meter ahead of anything the client can observe.
            context.metrics().firstToken(run.model, run.provider(), now - run.requestedNanos, now - receivedNanos);
        }
    }

    private void onAttemptEnded(ResponseRun run, UpstreamOutcome outcome) {
        if (outcome instanceof UpstreamOutcome.Completed completed) {
            run.trace.attemptCompleted(completed.finishReason(), completed.model(), completed.usage().inputTokens(),
                    completed.usage().outputTokens());
            run.attempts.onCompleted();
            finish(run);
            keep(run, responses.closeCompleted(run, completed));
        } else if (outcome instanceof UpstreamOutcome.Failed failed) {
            logFailure(run, failed);
            run.trace.attemptFailed(failed.reason().errorCode());
            flowTarget(null);
            act(run, run.attempts.onFailed(failed, run.output()));
        } else {
            run.attempts.onCancelled();
            finish(run);
            keep(run, responses.closeCancelled(run, "upstream_cancelled"));
        }
    }

    private void logFailure(ResponseRun run, UpstreamOutcome.Failed failed) {
        Provider provider = run.target().provider();
        context.operatorLog().warn("upstream:" + provider.name() + ":" + failed.reason().errorCode(),
                logContext(run.trace),
                "upstream attempt on provider {} failed: {}: {}{}{}", provider.name(), failed.reason().errorCode(),
                failed.message(), failed.providerDetail().filter(d -> !failed.message().contains(d))
                        .map(d -> "; provider said: " + d).orElse(""));
    }

    /** Carries out what {@link ResponseAttempts} decided. */
    private void act(ResponseRun run, ResponseAttempts.Decision decision) {
        if (decision instanceof ResponseAttempts.Decision.Attempt attempt) {
            open(run);
        } else if (decision instanceof ResponseAttempts.Decision.Retry retry) {
            context.metrics().upstreamRetried(retry.provider());
            run.trace.retry(retry.provider(), retry.delay());
            context.scheduler().schedule(() -> publish(new SessionSignal.RetryDue(run.id)), retry.delay().toNanos(),
                    TimeUnit.NANOSECONDS);
        } else if (decision instanceof ResponseAttempts.Decision.FailOver failOver) {
            failOver(run, failOver);
        } else {
            failResponse(run, ((ResponseAttempts.Decision.Fail) decision).failure());
        }
    }

    /** Opens the attempt the breaker admitted, on the run's current target. */
    private void open(ResponseRun run) {
        run.deltasBeforeAttempt = run.deltas;
        run.upstreamOpenedNanos = System.nanoTime();
        java.util.Map<String, String> headers = run.trace.attemptStarted(run.provider(),
                run.target().upstreamModel());
        UpstreamRequest request = headers.isEmpty() ? run.request() : run.request().withHeaders(headers);
        Upstream upstream = run.target().provider().bridged().connector().open(request, run);
        run.attach(upstream);
        flowTarget(upstream);
    }

    /**
     * Announces a move to another target (or a restart on the same one). A continuation goes on in the open text
     * item; otherwise the open items are closed as incomplete and the answer restarts in a new item, which the
     * failover event tells the client.
     */
    private void failOver(ResponseRun run, ResponseAttempts.Decision.FailOver move) {
        failOver(run, move, move.cause().reason().errorCode());
    }

    /** A move to another target for {@code reason} (a provider failure's code, or {@code node_lost}). */
    private void failOver(ResponseRun run, ResponseAttempts.Decision.FailOver move, String reason) {
        run.failovers++;
        if (!move.continueText()) {
            responses.abandonOpenItems(run);
        }
        if (move.continueText() && run.outputBudgetSpent()) {
            // The interrupted text already holds max_output_tokens: end the answer as the uninterrupted run would
            // have (incomplete, max_output_tokens) instead of asking the next target for no tokens at all.
            finish(run);
            keep(run, responses.closeCompleted(run, new UpstreamOutcome.Completed("length",
                    Usage.of(0, run.deltas), move.from().upstreamModel())));
            return;
        }
        responses.failover(run, move.from().provider().name(), move.from().upstreamModel(), reason,
                move.continueText() ? "continue" : "restart");
        run.trace.failover(move.from().provider().name(), move.from().upstreamModel(), move.to().provider().name(),
                move.to().upstreamModel(), reason, move.continueText() ? "continue" : "restart");
        act(run, run.attempts.start(run.output()));
    }

    /** Cancels a run that is no longer active; its upstream's terminal event will be dropped on arrival. */
    private void cancelUpstream(ResponseRun run) {
        run.attempts.release();
        Upstream upstream = run.upstream();
        if (upstream != null) {
            upstream.cancel();
        }
    }

    private void failResponse(ResponseRun run, UpstreamOutcome.Failed failed) {
        finish(run);
        keep(run, responses.closeFailed(run, failed));
    }

    /** Out-of-band responses ({@code conversation: none}) do not join the conversation. */
    private void keep(ResponseRun run, List<ConversationItem> output) {
        if (run.joinsConversation) {
            output.forEach(conversation::append);
        }
        mirrorState();
    }

    private void finish(ResponseRun run) {
        active = null;
        flowTarget(null);
        // A drain waiting for this response proceeds after its closing events, which the caller emits next.
        responseFinished();
    }

    // ---- client events (shard thread) ----

    @Override
    public Void onSessionUpdate(SessionUpdate event) {
        SessionConfig patch = event.session();
        if (patch.model().isPresent() && !patch.model().get().equals(model())) {
            return sendError(invalid("session.model", "the model is chosen when connecting (?model=) and cannot "
                    + "change; this session uses " + model(), event.eventId()));
        }
        Optional<String> badModality = unsupportedModality(patch.outputModalities());
        if (badModality.isPresent()) {
            return sendError(invalid("session.output_modalities", badModality.get(), event.eventId()));
        }
        config = config.merge(patch);
        emit(new SessionUpdated(config));
        mirrorState();
        return null;
    }

    @Override
    public Void onConversationItemCreate(ConversationItemCreate event) {
        Optional<String> problem = Conversation.validate(event.item());
        if (problem.isPresent()) {
            return sendError(invalid("item", problem.get(), event.eventId()));
        }
        ConversationItem item = event.item().withId(event.item().id().orElseGet(() -> Ids.next("item_")))
                .withStatus("completed");
        if (conversation.contains(item.id().orElseThrow())) {
            return sendError(ErrorDetail.invalidRequest("item_already_exists", "an item with id '"
                    + item.id().orElseThrow() + "' already exists", event.eventId()).withParam("item.id"));
        }
        Optional<String> previous = event.previousItemId();
        if (!conversation.insertAfter(previous, item)) {
            return sendError(ErrorDetail.invalidRequest("item_not_found", "previous_item_id '"
                    + previous.orElse("") + "' is not in the conversation", event.eventId())
                    .withParam("previous_item_id"));
        }
        Optional<String> before = conversation.idBefore(item.id().orElseThrow());
        emit(new ConversationItemAdded(before, item));
        emit(new ConversationItemDone(before, item));
        mirrorState();
        return null;
    }

    @Override
    public Void onResponseCreate(ResponseCreate event) {
        if (active != null) {
            return sendError(ErrorDetail.invalidRequest("conversation_already_has_active_response",
                    "conversation already has an active response " + active.id, event.eventId()));
        }
        ResponseParams params = event.response();
        Optional<String> badModality = unsupportedModality(params.outputModalities());
        if (badModality.isPresent()) {
            return sendError(invalid("response.output_modalities", badModality.get(), event.eventId()));
        }
        Optional<String> badInput = params.input().flatMap(Conversation::validateAll);
        if (badInput.isPresent()) {
            return sendError(invalid("response.input", badInput.get(), event.eventId()));
        }
        UpstreamRequest asked = new UpstreamRequest(route.primary().upstreamModel(),
                params.instructions().orElse(config.instructions().orElse("")),
                params.input().orElseGet(conversation::items), params.metadata(),
                maxTokens(params.maxOutputTokens().or(config::maxOutputTokens)),
                params.tools().orElse(config.tools().orElse(List.of())),
                params.toolChoice().or(config::toolChoice), params.upstreamParams());
        String responseId = Ids.next("resp_");
        UpstreamRequest request = asked;
        Optional<ContentPolicy> policy = principal.tenant().policy().filter(ContentPolicy::policesInput);
        if (policy.isPresent()) {
            InputPolicing.Result policed = InputPolicing.police(asked, policy.get(),
                    new ResponseHooks.ResponseInfo(info, responseId), context.notices(), context.clock(),
                    context.metrics());
            if (policed.refused().isPresent()) {
                return sendError(policed.refused().get().errorDetail().withEventId(event.eventId()));
            }
            request = policed.request().orElseThrow();
        }
        ResponseRun run = new ResponseRun(this, info, shard, context.scheduler(), route, request, frameNanos,
                List.of("text"), responseId);
        run.joinsConversation = !params.conversation().filter("none"::equals).isPresent();
        OptionalInt first = run.attempts.first();
        ResponseHooks.Verdict verdict = context.hooks().onResponseRequested(new ResponseHooks.ResponseRequest(
                run.info, run.attempts.current().map(t -> t.provider().name()).orElse(""),
                run.attempts.current().map(Route.Target::upstreamModel).orElse(""), estimateTokens(request),
                request.maxOutputTokens(), context.clock().instant()));
        if (verdict instanceof ResponseHooks.Verdict.Pending pending) {
            // The verdict needs a shared store: the run is active (a second response.create is refused) but
            // admitting until it arrives through the ring; nothing waits on this thread.
            active = run;
            admitting = new Admitting(run, first, event.eventId());
            VerdictWait.deliver(pending, run.id, this::publish);
            return null;
        }
        return decided(run, first, event.eventId(), verdict);
    }

    /** A response waiting for its pending verdict: what {@link #decided} needs once it arrives. */
    private record Admitting(ResponseRun run, OptionalInt first, String eventId) {
    }

    @Override
    void onVerdictDue(String responseId, ResponseHooks.Verdict verdict) {
        Admitting waiting = admitting;
        if (waiting == null || !waiting.run().id.equals(responseId)) {
            return;  // it was cancelled or the session ended meanwhile: the hooks were told it ended
        }
        admitting = null;
        active = null;
        decided(waiting.run(), waiting.first(), waiting.eventId(), verdict);
    }

    /**
     * Ends a run that is still admitting as {@code cancelled} with {@code reason}: the client gets its
     * {@code response.created} and {@code response.done}, the hooks its end; its verdict is ignored when it comes.
     */
    private void abandonAdmission(ResponseRun run, String reason) {
        admitting = null;
        finish(run);
        cancelUpstream(run);
        responses.created(run, Optional.empty());
        keep(run, responses.closeCancelled(run, reason));
    }

    private boolean admitting(ResponseRun run) {
        return admitting != null && admitting.run() == run;
    }

    /** Runs or refuses {@code run} by {@code verdict} (final, never pending). */
    private Void decided(ResponseRun run, OptionalInt first, String eventId, ResponseHooks.Verdict verdict) {
        if (verdict instanceof ResponseHooks.Verdict.Deny deny) {
            reportRateLimits(verdict);
            return sendError(deny.refusal().errorDetail().withEventId(eventId));
        }
        if (verdict instanceof ResponseHooks.Verdict.Modify modify) {
            run.capOutputTokens(modify.maxOutputTokens());
        }
        active = run;
        run.trace = context.tracing().response(run.info, traceParent, "chat", route.model(), run.requestedNanos);
        // Before any of the response's frames: a node that takes the session over finds its request first.
        mirrorState();
        // Before response.created: the chat-completions endpoint turns it into x-ratelimit-* headers, which must
        // precede the stream it commits at response.created.
        reportRateLimits(verdict);
        responses.created(run, first.isPresent() ? Optional.of(run.target().upstreamModel()) : Optional.empty());
        if (first.isEmpty()) {
            failResponse(run, run.attempts.circuitOpen());
            return null;
        }
        act(run, run.attempts.start(run.output()));
        return null;
    }

    @Override
    public Void onResponseCancel(ResponseCancel event) {
        ResponseRun run = active;
        if (run == null) {
            return sendError(ErrorDetail.invalidRequest("response_cancel_not_active",
                    "there is no active response to cancel", event.eventId()));
        }
        if (event.responseId().isPresent() && !event.responseId().get().equals(run.id)) {
            return sendError(ErrorDetail.invalidRequest("response_not_found", "response '"
                    + event.responseId().get() + "' is not the active response", event.eventId())
                    .withParam("response_id"));
        }
        if (admitting(run)) {
            abandonAdmission(run, "client_cancelled");
            return null;
        }
        // Order matters: the run stops being active before anything else, so every delta still queued in the
        // ring for it is dropped on arrival; response.done is then the last event of this response.
        run.trace.cut("client_cancelled", false);
        finish(run);
        cancelUpstream(run);
        keep(run, responses.closeCancelled(run, "client_cancelled"));
        return null;
    }

    @Override
    public Void onUnknown(UnknownClientEvent event) {
        if (event.type().startsWith("input_audio_buffer.")) {
            // Nothing is silently dropped: audio input on a text route is refused, naming what the model takes.
            return sendError(ErrorDetail.invalidRequest("modality_not_supported", "model " + model()
                    + " takes input modalities [text] and output_modalities [text] only; '" + clip(event.type())
                    + "' needs an audio model (a Realtime relay, e.g. sim-realtime)", event.eventId())
                    .withParam("type"));
        }
        return sendError(ErrorDetail.invalidRequest("unknown_event_type", "event type '" + clip(event.type())
                + "' is not supported by model " + model() + " (a text chat-completions upstream)",
                event.eventId()).withParam("type"));
    }

    /** A client-chosen string echoed in an error, cut to a readable length (a type may be a megabyte long). */
    private static String clip(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "…";
    }

    private static ErrorDetail invalid(String param, String message, String eventId) {
        return ErrorDetail.invalidRequest("invalid_value", message, eventId).withParam(param);
    }

    private Optional<String> unsupportedModality(Optional<List<String>> modalities) {
        if (modalities.isEmpty() || modalities.get().equals(List.of("text"))) {
            return Optional.empty();
        }
        return Optional.of("model " + model() + " supports output_modalities [text] only (input modalities "
                + "[text]), not " + modalities.get() + "; audio needs a Realtime relay model such as sim-realtime");
    }

    /**
     * The prompt's size in tokens, estimated as characters / 4 (what hooks get before any provider counted it).
     * One pass over the conversation without building its text, and none at all when no hook reads it: it runs on the
     * shard thread for every response, and a long conversation is up to 1,024 items.
     */
    private long estimateTokens(UpstreamRequest request) {
        if (!context.hooks().readsContent()) {
            return 0;
        }
        long chars = request.instructions().length();
        for (ConversationItem item : request.items()) {
            chars += item.textLength();
        }
        return chars / 4;
    }

    private static OptionalInt maxTokens(Optional<JsonNode> value) {
        return value.filter(JsonNode::isIntegralNumber).map(v -> OptionalInt.of(v.asInt())).orElse(OptionalInt.empty());
    }

    /** {@code rate_limits.updated} with the limits a hook reported for a requested response, if any. */
    private void reportRateLimits(ResponseHooks.Verdict verdict) {
        if (!verdict.rateLimits().isEmpty()) {
            emit(new RateLimitsUpdated(verdict.rateLimits().stream().map(limit -> new RateLimitsUpdated.RateLimit(
                    limit.name(), limit.limit(), limit.remaining(), limit.resetSeconds())).toList()));
        }
    }

    private Void sendError(ErrorDetail error) {
        context.metrics().clientError(error.code());
        emit(new ErrorEvent(error));
        return null;
    }
}
