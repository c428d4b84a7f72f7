package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The state of one Realtime session and its answers to client events: session settings, the conversation and at
 * most one active response. Every client event gets its GA answer or an {@code error} event; nothing a client
 * sends closes the connection.
 *
 * <p>Not thread-safe: every method runs on the connection's {@link SerialExecutor}.
 */
final class RealtimeSession {

    private final ConnectionContext context;
    private final EventWriter out;
    private final FaultProfile faults;
    private final Map<String, String> headerMetadata;
    private final AtomicLong responseSequence;
    private final long createdEpochSeconds;
    private final RealtimeConversation conversation = new RealtimeConversation();
    private SessionSettings settings;
    private @Nullable RealtimeResponse active;
    private boolean closed;

    /**
     * @param headerMetadata   the upgrade request's {@code x-switchboard-metadata}: default knobs for every response
     * @param responseSequence the simulator's response counter, which makes response ids unique
     */
    RealtimeSession(ConnectionContext context, String model, FaultProfile faults, Map<String, String> headerMetadata,
            AtomicLong responseSequence) {
        this.context = context;
        this.out = context.out();
        this.faults = faults;
        this.headerMetadata = Map.copyOf(headerMetadata);
        this.responseSequence = responseSequence;
        this.createdEpochSeconds = context.runtime().nowEpochSeconds();
        this.settings = SessionSettings.defaults(context.ids().sessionId(), model);
    }

    /** Greets the client with {@code session.created}; a {@code no_response} fault mutes the session instead. */
    void open() {
        if (faults.rejection().orElse(null) instanceof FaultProfile.NoResponse) {
            out.mute();
            return;
        }
        ObjectNode created = out.event("session.created");
        created.set("session", settings.toJson(createdEpochSeconds));
        out.send(created);
    }

    /** Handles one client text frame received at {@code receivedNanos}. */
    void onText(String text, long receivedNanos) {
        if (closed || out.muted()) {
            return;
        }
        JsonNode event;
        try {
            event = SimulatorJson.MAPPER.readTree(text);
        } catch (IOException e) {
            error(RealtimeErrors.invalidJson(), null);
            return;
        }
        if (event == null || !event.isObject()) {
            error(RealtimeErrors.invalidJson(), null);
            return;
        }
        JsonNode eventId = event.path("event_id");
        String clientEventId = eventId.isTextual() ? eventId.asText() : null;
        JsonNode type = event.path("type");
        if (JsonFields.present(eventId) && !eventId.isTextual()) {
            error(OpenAiError.invalidType("event_id", "a string"), null);
        } else if (!JsonFields.present(type)) {
            error(OpenAiError.missingParameter("type"), clientEventId);
        } else if (!type.isTextual()) {
            error(OpenAiError.invalidType("type", "a string"), clientEventId);
        } else {
            dispatch(type.asText(), event, clientEventId, receivedNanos);
        }
    }

    /** A binary frame: Realtime events are JSON text. */
    void onBinary() {
        if (!closed && !out.muted()) {
            error(RealtimeErrors.binaryFrame(), null);
        }
    }

    /** The connection is gone: generation stops without another event. */
    void onClosed() {
        closed = true;
        if (active != null) {
            active.abort();
        }
    }

    private void dispatch(String type, JsonNode event, @Nullable String clientEventId, long receivedNanos) {
        switch (type) {
            case "session.update" -> updateSession(event, clientEventId);
            case "conversation.item.create" -> createItem(event, clientEventId);
            case "conversation.item.delete" -> deleteItem(event, clientEventId);
            case "response.create" -> createResponse(event, clientEventId, receivedNanos);
            case "response.cancel" -> cancelResponse(event, clientEventId);
            default -> error(RealtimeErrors.unknownEventType(type), clientEventId);
        }
    }

    private void updateSession(JsonNode event, @Nullable String clientEventId) {
        ParseResult<SessionSettings> updated = SessionUpdate.apply(settings, event);
        if (updated instanceof ParseResult.Invalid<SessionSettings> invalid) {
            error(invalid.error(), clientEventId);
            return;
        }
        settings = ((ParseResult.Valid<SessionSettings>) updated).value();
        ObjectNode answer = out.event("session.updated");
        answer.set("session", settings.toJson(createdEpochSeconds));
        out.send(answer);
    }

    private void createItem(JsonNode event, @Nullable String clientEventId) {
        JsonFields fields = new JsonFields();
        Optional<String> previous = fields.string(event.path("previous_item_id"), "previous_item_id");
        JsonNode node = event.path("item");
        if (!JsonFields.present(node)) {
            fields.fail(OpenAiError.missingParameter("item"));
        }
        Optional<RealtimeItem> parsed = fields.failed() ? Optional.empty()
                : fields.take(ItemParser.parse(node, "item", settings.inputFormat(), context.ids()::nextItemId));
        if (parsed.isPresent() && conversation.contains(parsed.get().id())) {
            fields.fail(RealtimeErrors.itemAlreadyExists(parsed.get().id()));
        }
        if (previous.isPresent() && !conversation.canInsertAfter(previous.get())) {
            fields.fail(RealtimeErrors.itemNotFound("previous_item_id", previous.get()));
        }
        if (fields.failed()) {
            error(fields, clientEventId);
            return;
        }
        RealtimeItem item = parsed.orElseThrow();
        addItem(item, previous.isPresent() ? conversation.insertAfter(previous.get(), item)
                : conversation.append(item));
    }

    /** Announces an item just added to the conversation: {@code conversation.item.added}, then {@code .done}. */
    void addItem(RealtimeItem item, Optional<String> previousItemId) {
        for (String type : new String[] {"conversation.item.added", "conversation.item.done"}) {
            ObjectNode event = out.event(type);
            event.put("previous_item_id", previousItemId.orElse(null));
            event.set("item", item.toJson());
            out.send(event);
        }
    }

    private void deleteItem(JsonNode event, @Nullable String clientEventId) {
        JsonFields fields = new JsonFields();
        String itemId = fields.requiredString(event.path("item_id"), "item_id");
        if (!fields.failed() && (!conversation.contains(itemId) || isGenerating(itemId))) {
            fields.fail(RealtimeErrors.itemNotFound("item_id", itemId));
        }
        if (fields.failed()) {
            error(fields, clientEventId);
            return;
        }
        conversation.delete(itemId);
        ObjectNode deleted = out.event("conversation.item.deleted");
        deleted.put("item_id", itemId);
        out.send(deleted);
    }

    /** Whether {@code itemId} is the output of the response in progress. */
    boolean isGenerating(String itemId) {
        return active != null && !active.ended() && active.item().map(i -> i.id().equals(itemId)).orElse(false);
    }

    private void createResponse(JsonNode event, @Nullable String clientEventId, long receivedNanos) {
        if (active != null) {
            error(RealtimeErrors.activeResponse(active.id()), clientEventId);
            return;
        }
        ParseResult<ResponseSpec> parsed = ResponseSpec.parse(event, settings, conversation, headerMetadata,
                context.ids()::nextItemId);
        if (parsed instanceof ParseResult.Invalid<ResponseSpec> invalid) {
            error(invalid.error(), clientEventId);
            return;
        }
        startResponse(((ParseResult.Valid<ResponseSpec>) parsed).value(), receivedNanos);
    }

    /** Starts a response to {@code spec}; there must be no active response. */
    void startResponse(ResponseSpec spec, long receivedNanos) {
        GenerationPlan plan = GenerationPlan.of(spec.toChatRequest(settings.model()), "resp_",
                responseSequence.incrementAndGet(), context.runtime().nowEpochSeconds(), faults);
        String itemId = context.ids().nextItemId();
        ResponseOutput output = plan.toolCall().isPresent()
                ? new FunctionCallOutput(plan.completionId(), itemId, plan.toolCall().get())
                : new TextOutput(plan.completionId(), itemId, plan.stamp());
        active = new RealtimeResponse(plan, spec, output, context, spec.toConversation() ? conversation : null, 0,
                receivedNanos, this::onResponseEnded);
        active.start();
    }

    private void onResponseEnded() {
        if (active != null && active.ended()) {
            active = null;
        }
    }

    private void cancelResponse(JsonNode event, @Nullable String clientEventId) {
        JsonFields fields = new JsonFields();
        Optional<String> responseId = fields.string(event.path("response_id"), "response_id");
        if (fields.failed()) {
            error(fields, clientEventId);
        } else if (active == null) {
            error(RealtimeErrors.cancelNotActive(), clientEventId);
        } else if (responseId.isPresent() && !responseId.get().equals(active.id())) {
            error(RealtimeErrors.responseNotFound(responseId.get()), clientEventId);
        } else {
            active.cancel("client_cancelled");
        }
    }

    private void error(JsonFields fields, @Nullable String clientEventId) {
        error(((ParseResult.Invalid<?>) fields.invalid()).error(), clientEventId);
    }

    /** Sends the {@code error} event for {@code error}, caused by the client event {@code clientEventId}. */
    void error(ErrorReply error, @Nullable String clientEventId) {
        if (!(error instanceof OpenAiError openAi)) {
            throw new IllegalStateException("Realtime errors are OpenAI-shaped");
        }
        out.send(RealtimeErrors.event(out, openAi, clientEventId));
    }
}
