package dev.switchboard.broker.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.switchboard.bridge.upstream.Upstream;
import dev.switchboard.bridge.upstream.UpstreamEvent;
import dev.switchboard.bridge.upstream.UpstreamOutcome;
import dev.switchboard.bridge.upstream.UpstreamRequest;
import dev.switchboard.broker.route.Route;
import dev.switchboard.broker.stream.RingSubscriber;
import dev.switchboard.broker.stream.Shard;
import dev.switchboard.broker.tenant.Tenant;
import dev.switchboard.protocol.close.CloseReason;
import dev.switchboard.protocol.codec.ClientDecoding;
import dev.switchboard.protocol.event.ClientEvent;
import dev.switchboard.protocol.event.ConversationItem;
import dev.switchboard.protocol.event.ConversationItemAdded;
import dev.switchboard.protocol.event.ConversationItemCreate;
import dev.switchboard.protocol.event.ConversationItemDone;
import dev.switchboard.protocol.event.ErrorDetail;
import dev.switchboard.protocol.event.ErrorEvent;
import dev.switchboard.protocol.event.ResponseCancel;
import dev.switchboard.protocol.event.ResponseCreate;
import dev.switchboard.protocol.event.ResponseParams;
import dev.switchboard.protocol.event.ServerEvent;
import dev.switchboard.protocol.event.SessionConfig;
import dev.switchboard.protocol.event.SessionCreated;
import dev.switchboard.protocol.event.SessionUpdate;
import dev.switchboard.protocol.event.SessionUpdated;
import dev.switchboard.protocol.event.UnknownClientEvent;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One Realtime session: configuration, conversation, the active response and the {@code seq} counter.
 *
 * <p>Confined to its shard's consumer thread (see the package documentation). The state machine is: idle, or
 * one active {@link ResponseRun}. {@code response.create} moves idle to active; the run's terminal upstream
 * event, {@code response.cancel} or the connection closing move it back. Leaving the active state emits the
 * closing events and {@code response.done} at once, and clears the active run, so anything the ring still holds
 * for that run is discarded when it arrives.
 */
public final class RealtimeSession implements RingSubscriber, FlowControl, ClientEvent.Visitor<Void> {
    /** The most conversation items kept; older ones are dropped first. */
    static final int MAX_CONVERSATION_ITEMS = 1024;

    private final String id;
    private final Tenant tenant;
    private final Route route;
    private final Shard shard;
    private final SessionContext context;
    private final String eventIdPrefix;
    private final Conversation conversation = new Conversation(MAX_CONVERSATION_ITEMS);
    private final ResponseEmitter responses;
    private SessionConfig config;
    private ClientChannel channel;
    private long seq;
    private long frameNanos;
    private ResponseRun active;
    private volatile Upstream flowTarget;

    /** Creates a session for {@code tenant} on {@code route}, pinned to {@code shard}. Call from any thread. */
    public RealtimeSession(Tenant tenant, Route route, Shard shard, SessionContext context) {
        this.id = Ids.next("sess_");
        this.tenant = tenant;
        this.route = route;
        this.shard = shard;
        this.context = context;
        this.eventIdPrefix = "event_" + id.substring(5, 13) + "_";
        this.responses = new ResponseEmitter(this::emit, context.metrics());
        this.config = new SessionConfig(Optional.of("realtime"), Optional.of("realtime.session"), Optional.of(id),
                Optional.of(route.model()), Optional.of(""), Optional.of(List.of("text")), Optional.of(List.of()),
                Optional.of(TextNode.valueOf("auto")), Optional.of(TextNode.valueOf("inf")));
    }

    /** The session id. */
    public String id() {
        return id;
    }

    /** The shard this session is pinned to. */
    public Shard shard() {
        return shard;
    }

    /** The tenant that owns this session. */
    public Tenant tenant() {
        return tenant;
    }

    // ---- ring input (shard thread) ----

    @Override
    public void onControl(Control signal, Object argument) {
        switch (signal) {
            case OPENED -> {
                channel = (ClientChannel) argument;
                context.metrics().sessionOpened();
                emit(new SessionCreated(config));
            }
            case CLOSED -> {
                if (channel == argument) {
                    channel = null;
                    context.metrics().sessionClosed();
                    if (active != null) {
                        // Nobody is listening: stop the provider generating for a closed connection.
                        ResponseRun run = active;
                        finish(run);
                        run.upstream().cancel();
                        responses.closeCancelled(run, "client_disconnected");
                    }
                }
            }
        }
    }

    @Override
    public void onClientFrame(ClientDecoding frame, long receivedNanos) {
        if (frame instanceof ClientDecoding.Rejected rejected) {
            sendError(rejected.error());
            return;
        }
        frameNanos = receivedNanos;
        ((ClientDecoding.Decoded) frame).event().accept(this);
    }

    @Override
    public void onUpstreamEvent(Object source, UpstreamEvent event) {
        ((ResponseRun) source).onConsumed(1);
        ResponseRun run = active;
        if (run == null || source != run) {
            if (event instanceof UpstreamEvent.TextDelta) {
                context.metrics().deltaDiscarded();
            }
            return;
        }
        if (event instanceof UpstreamEvent.TextDelta delta) {
            if (run.deltas == 0) {
                context.metrics().upstreamFirstToken(run.provider, delta.receivedNanos() - run.upstreamOpenedNanos);
            }
            responses.delta(run, delta.text());
            if (run.deltas == 1) {
                long now = System.nanoTime();
                context.metrics().firstToken(run.model, run.provider, now - run.requestedNanos,
                        now - delta.receivedNanos());
            }
        } else if (event instanceof UpstreamEvent.End end) {
            finish(run);
            UpstreamOutcome outcome = end.outcome();
            Optional<ConversationItem> output;
            if (outcome instanceof UpstreamOutcome.Completed completed) {
                output = responses.closeCompleted(run, completed);
            } else if (outcome instanceof UpstreamOutcome.Failed failed) {
                output = responses.closeFailed(run, failed);
            } else {
                output = responses.closeCancelled(run, "upstream_cancelled");
            }
            keep(run, output);
        }
    }

    /** Out-of-band responses ({@code conversation: none}) do not join the conversation. */
    private void keep(ResponseRun run, Optional<ConversationItem> output) {
        if (run.joinsConversation) {
            output.ifPresent(conversation::append);
        }
    }

    private void finish(ResponseRun run) {
        active = null;
        flowTarget = null;
    }

    // ---- client events (shard thread) ----

    @Override
    public Void onSessionUpdate(SessionUpdate event) {
        SessionConfig patch = event.session();
        if (patch.model().isPresent() && !patch.model().get().equals(route.model())) {
            return sendError(invalid("session.model", "the model is chosen when connecting (?model=) and cannot "
                    + "change; this session uses " + route.model(), event.eventId()));
        }
        Optional<String> badModality = unsupportedModality(patch.outputModalities());
        if (badModality.isPresent()) {
            return sendError(invalid("session.output_modalities", badModality.get(), event.eventId()));
        }
        config = config.merge(patch);
        emit(new SessionUpdated(config));
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
        Route.Target target = route.primary();
        ResponseRun run = new ResponseRun(this, shard, context.scheduler(), route.model(),
                target.connector().provider(), frameNanos, params.metadata(), List.of("text"));
        UpstreamRequest request = new UpstreamRequest(target.upstreamModel(),
                params.instructions().orElse(config.instructions().orElse("")),
                params.input().orElseGet(conversation::items), params.metadata(),
                maxTokens(params.maxOutputTokens().or(config::maxOutputTokens)),
                params.tools().orElse(config.tools().orElse(List.of())),
                params.toolChoice().or(config::toolChoice));
        run.joinsConversation = !params.conversation().filter("none"::equals).isPresent();
        active = run;
        responses.created(run);
        run.upstreamOpenedNanos = System.nanoTime();
        Upstream upstream = target.connector().open(request, run);
        run.attach(upstream);
        flowTarget = upstream;
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
        // Order matters: the run stops being active before anything else, so every delta still queued in the
        // ring for it is dropped on arrival; response.done is then the last event of this response.
        finish(run);
        run.upstream().cancel();
        keep(run, responses.closeCancelled(run, "client_cancelled"));
        return null;
    }

    @Override
    public Void onUnknown(UnknownClientEvent event) {
        return sendError(ErrorDetail.invalidRequest("unknown_event_type", "event type '" + event.type()
                + "' is not supported by model " + route.model() + " (a text chat-completions upstream)",
                event.eventId()).withParam("type"));
    }

    private static ErrorDetail invalid(String param, String message, String eventId) {
        return ErrorDetail.invalidRequest("invalid_value", message, eventId).withParam(param);
    }

    private Optional<String> unsupportedModality(Optional<List<String>> modalities) {
        if (modalities.isEmpty() || modalities.get().equals(List.of("text"))) {
            return Optional.empty();
        }
        return Optional.of("model " + route.model() + " supports output_modalities [text] only, not "
                + modalities.get());
    }

    private static OptionalInt maxTokens(Optional<JsonNode> value) {
        return value.filter(JsonNode::isIntegralNumber).map(v -> OptionalInt.of(v.asInt())).orElse(OptionalInt.empty());
    }

    private Void sendError(ErrorDetail error) {
        context.metrics().clientError(error.code());
        emit(new ErrorEvent(error));
        return null;
    }

    // ---- output ----

    /** Assigns the next seq and hands the event to the connection; without a connection the event is dropped. */
    private void emit(ServerEvent event) {
        long next = ++seq;
        ClientChannel target = channel;
        if (target == null) {
            return;
        }
        target.trySend(context.codec().encodeServer(event, eventIdPrefix + next, next));
    }

    // ---- flow control (any thread) ----

    @Override
    public void onHighWatermark() {
        Upstream upstream = flowTarget;
        if (upstream != null) {
            upstream.pause();
            context.metrics().backpressurePaused();
        }
    }

    @Override
    public void onLowWatermark() {
        Upstream upstream = flowTarget;
        if (upstream != null) {
            upstream.resume();
        }
    }

    /** Closes the client connection, if any, with {@code reason}. Shard thread. */
    void close(CloseReason reason) {
        ClientChannel target = channel;
        if (target != null) {
            target.close(reason, reason.errorCode());
        }
    }

    /** Current conversation size, for tests. */
    int conversationSize() {
        return conversation.items().size();
    }

}
