package dev.switchboard.broker.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.broker.admission.Refusal;
import dev.switchboard.broker.session.ClientChannel;
import dev.switchboard.broker.session.ResponseHooks;
import java.time.Duration;
import dev.switchboard.broker.session.RealtimeSession;
import dev.switchboard.broker.session.ResumeRequest;
import dev.switchboard.broker.session.SessionSignal;
import dev.switchboard.broker.stream.SessionFeed;
import dev.switchboard.broker.transport.http.HttpErrors.HttpError;
import dev.switchboard.protocol.close.CloseReason;
import dev.switchboard.protocol.codec.ClientDecoding;
import dev.switchboard.protocol.event.ClientEvent;
import dev.switchboard.protocol.codec.EventCodec;
import dev.switchboard.protocol.codec.ServerFrame;
import dev.switchboard.protocol.event.ConversationItem;
import dev.switchboard.protocol.event.ErrorDetail;
import dev.switchboard.protocol.event.ErrorEvent;
import dev.switchboard.protocol.event.ResponseCreated;
import dev.switchboard.protocol.event.ResponseDone;
import dev.switchboard.protocol.event.ResponseFailover;
import dev.switchboard.protocol.event.ResponseFunctionCallArgumentsDelta;
import dev.switchboard.protocol.event.ResponseOutputItemAdded;
import dev.switchboard.protocol.event.RateLimitsUpdated;
import dev.switchboard.protocol.event.ResponseOutputTextDelta;
import dev.switchboard.protocol.event.ServerEvent;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One chat-completions request bound to its headless session: the session's {@link ClientChannel}. It replays
 * the request into the session, reads the session's Realtime server events and hands each one that matters,
 * already interpreted, to a subclass hook; subclasses answer with server-sent events or one JSON object.
 *
 * <p>Threading (see the package documentation): {@link #trySend} and every {@code on*} hook run on the session's
 * shard thread, so the translation state needs no locks. {@link #end()} and the once-only Jetty callback are
 * atomic, because a client failure (Jetty thread), an overloaded ring (scheduler thread) and the answer (shard
 * thread) can race to end the exchange; only the first one writes.
 *
 * <p>Tool calls are numbered by their order in the current attempt, which is the chat {@code tool_calls[].index};
 * a failover that restarts the answer restarts the numbering.
 */
abstract class ChatExchange implements ClientChannel {
    private static final Logger LOG = LoggerFactory.getLogger(ChatExchange.class);
    /** Reads frames replayed from the log, and writes a response as the wire shows it (once per response). */
    private static final EventCodec CODEC = EventCodec.create();

    /** The session this exchange feeds; also its upstream's flow control. */
    protected final RealtimeSession session;
    /** The parsed request. */
    protected final ChatCall call;
    /** The Jetty response. */
    protected final Response response;
    /** Builds JSON trees. */
    protected final ObjectMapper json;
    /** The broker's scheduler. */
    protected final ScheduledExecutorService scheduler;
    private final Request request;
    private final Callback callback;
    private final AtomicBoolean completed = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final SessionFeed<SessionSignal> feed;
    private final long createdEpochSeconds;
    private final String traceParent;
    private final Callback once = new Callback() {
        @Override
        public void succeeded() {
            if (completed.compareAndSet(false, true)) {
                callback.succeeded();
            }
        }

        @Override
        public void failed(Throwable cause) {
            if (completed.compareAndSet(false, true)) {
                callback.failed(cause);
            }
        }
    };
    private final Map<String, Integer> toolIndexByItem = new HashMap<>();
    /** Set when the client went away (a write failed) rather than the answer ending: the session then waits. */
    private volatile boolean abandoned;
    private boolean resumeCommitted;
    private String responseId = "";
    private ChatJson chat;

    ChatExchange(RealtimeSession session, ChatCall call, Request request, Response response, Callback callback,
                 ObjectMapper json, ScheduledExecutorService scheduler, long createdEpochSeconds) {
        this.session = session;
        this.call = call;
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.json = json;
        this.scheduler = scheduler;
        this.createdEpochSeconds = createdEpochSeconds;
        this.traceParent = ClientChannel.traceParentOf(request.getHeaders().get("traceparent"));
        this.feed = new SessionFeed<>(session, session.shard(), scheduler, () -> refuse(HttpError.of(503, "broker_overloaded",
                "the broker is overloaded; retry shortly")));
        this.chat = new ChatJson(json, "chatcmpl-", createdEpochSeconds, call.model());
    }

    @Override
    public String traceParent() {
        return traceParent;
    }

    /**
     * Attaches to the session and replays the request into it: {@code OPENED}, then the request's events. Call
     * once, on the thread that handles the request.
     *
     * @param receivedNanos when the request body was read ({@link System#nanoTime()}), the start of the TTFT
     */
    final void start(long receivedNanos) {
        request.addFailureListener(this::onRequestFailed);
        // Waiting for the model is not idleness: the upstream's own timeouts bound every response. A write that
        // stays stuck is still failed by Jetty's idle timeout, which is how a client that stopped reading ends.
        request.addIdleTimeoutListener(timeout -> false);
        feed.signal(new SessionSignal.Opened(this));
        for (ClientEvent event : call.events()) {
            feed.client(new ClientDecoding.Decoded(event), receivedNanos);
        }
    }

    /**
     * Attaches to a session whose earlier exchange was cut off, to continue response {@code resumedResponseId}
     * after the event with {@code lastSeq} (SSE {@code Last-Event-ID}). Call once instead of {@link #start}.
     */
    final void resume(String resumedResponseId, long lastSeq) {
        request.addFailureListener(this::onRequestFailed);
        request.addIdleTimeoutListener(timeout -> false);
        responseId = resumedResponseId;
        chat = new ChatJson(json, "chatcmpl-" + responseId, createdEpochSeconds, call.model());
        feed.signal(new SessionSignal.Resumed(new ResumeRequest(this, lastSeq)));
    }

    /** The response id, once known. */
    protected final String responseId() {
        return responseId;
    }

    /**
     * A frame without its typed event: a frame replayed from the log after a {@code Last-Event-ID} resume, or a
     * connection-level event. Only these are decoded; live events arrive typed ({@link #trySend(String,
     * ServerEvent, long)}).
     */
    @Override
    public final boolean trySend(String frame) {
        if (ended.get()) {
            return false;
        }
        Optional<ServerFrame> decoded = CODEC.decodeServer(frame);
        if (decoded.isEmpty()) {
            // The session encodes every event it emits; an unreadable one is a bug.
            LOG.error("a session emitted an event that is not JSON; ignoring it");
            return true;
        }
        return translate(frame, decoded.get().event(), decoded.get().seq());
    }

    @Override
    public final boolean trySend(String frame, ServerEvent event, long seq) {
        if (ended.get()) {
            return false;
        }
        return translate(frame, event, seq);
    }

    /** Hands one Realtime event, already interpreted, to the subclass hook that answers it. Shard thread. */
    private boolean translate(String frame, ServerEvent event, long seq) {
        if (isResumed() && !resumeCommitted && seq >= 0) {
            // The resume was accepted and the replay begins: only now is the answer a 200 stream (a refusal
            // before this is a plain 410).
            resumeCommitted = true;
            onCreated();
        }
        if (event instanceof ResponseOutputTextDelta delta) {
            onText(seq, delta.delta());
        } else if (event instanceof RateLimitsUpdated limits) {
            RateLimitHeaders.set(response, limits);
        } else if (event instanceof ResponseCreated created) {
            responseId = created.response().id();
            // Like OpenAI, report the model that answers (the first target asked), not the client's alias.
            chat = new ChatJson(json, "chatcmpl-" + responseId, createdEpochSeconds, call.model())
                    .withModel(created.response().model().orElse(""));
            onCreated();
        } else if (event instanceof ResponseOutputItemAdded added) {
            onItemAdded(seq, added.item());
        } else if (event instanceof ResponseFunctionCallArgumentsDelta arguments) {
            Integer index = toolIndexByItem.get(arguments.itemId());
            if (index == null && isResumed()) {
                // The call started before the resume point: its index is its place in the output.
                index = arguments.outputIndex();
            }
            if (index != null) {
                onToolArguments(seq, index, arguments.delta());
            }
        } else if (event instanceof ResponseFailover failover) {
            chat = chat.withModel(failover.toModel());
            boolean restart = "restart".equals(failover.mode());
            if (restart) {
                toolIndexByItem.clear();
            }
            onFailover(seq, frame, restart);
        } else if (event instanceof ResponseDone done) {
            // The model the provider says answered, after any failover. Once per response, so the response is
            // read as a tree here rather than giving the chat shapes a second, typed reader.
            chat = chat.withModel(done.response().model().orElse(""));
            onDone(seq, CODEC.mapper().valueToTree(done.response()));
        } else if (event instanceof ErrorEvent error) {
            ErrorDetail detail = error.error();
            // A refusal the session decided (a hook's Deny) keeps its status; a resume refusal is 410 (Gone); any
            // other error the session sends is about the request itself (400).
            int status = Refusal.forCode(detail.code()).map(Refusal::httpStatus)
                    .orElse(detail.code().startsWith("resume_") ? 410 : 400);
            onRejected(new HttpError(status, detail.code(), detail.message(),
                    detail.param().filter(param -> !param.isEmpty()), detail.retryAfterMs().map(Duration::ofMillis),
                    status == 400 || status == 410 ? Refusal.errorTypeFor(status) : detail.type()));
        }
        // Anything else (session.*, conversation.item.*, content parts, the *.done events of items) carries nothing
        // a chat completion shows.
        return !ended.get();
    }

    private void onItemAdded(long seq, ConversationItem item) {
        if ("message".equals(item.type())) {
            onMessageItemOpened();
        }
        if ("function_call".equals(item.type())) {
            int index = toolIndexByItem.size();
            toolIndexByItem.put(item.id().orElse(""), index);
            onToolCall(seq, index, item.callId().orElse(""), item.name().orElse(""));
        }
    }

    private void onDone(long seq, JsonNode realtimeResponse) {
        if (ChatJson.answered(realtimeResponse)) {
            onAnswered(seq, realtimeResponse, ChatJson.finishReason(realtimeResponse, !toolIndexByItem.isEmpty()));
        } else {
            onFailed(seq, ChatJson.failure(realtimeResponse));
        }
    }

    /** The session closes its client (never for a headless session today): the answer fails with the reason. */
    @Override
    public final void close(CloseReason reason, String message) {
        onFailed(-1, new ChatJson.Failure(reason.errorCode(), message));
    }

    // ---- hooks, shard thread ----

    /** {@code response.created}: the request was accepted and a response is running. */
    abstract void onCreated();

    /** A text delta. */
    abstract void onText(long seq, String text);

    /** A function call starts: tool call {@code index} of this attempt. */
    abstract void onToolCall(long seq, int index, String callId, String name);

    /** A fragment of tool call {@code index}'s arguments. */
    abstract void onToolArguments(long seq, int index, String fragment);

    /** The response moved to another target; with {@code restart} the answer starts over. */
    abstract void onFailover(long seq, String event, boolean restart);

    /** The response ended with an answer (completed, or incomplete with a finish reason). */
    abstract void onAnswered(long seq, JsonNode realtimeResponse, String finishReason);

    /** The response failed or was cancelled ({@code seq} is -1 when no server event caused it). */
    abstract void onFailed(long seq, ChatJson.Failure failure);

    /** The session refused the input (an {@code error} event). */
    abstract void onRejected(HttpError error);

    /** An assistant message item opened (its text follows). */
    void onMessageItemOpened() {
    }

    /** Whether this exchange continues an earlier one ({@link #resume}). */
    boolean isResumed() {
        return false;
    }

    @Override
    public final ResponseHooks.Transport transport() {
        return ResponseHooks.Transport.HTTP;
    }

    /** The client went away mid-answer: the session keeps the answer for a resume ({@code Last-Event-ID}). */
    @Override
    public final boolean keepsSessionOnClose() {
        return abandoned;
    }

    /** The exchange ended because the client went away or a write failed; stop timers. Any thread. */
    void onAbandoned() {
    }

    // ---- shared ----

    /** The chunk and completion builder; its id is {@code chatcmpl-<response id>} once the response exists. */
    protected final ChatJson chat() {
        return chat;
    }

    /** Appends the SSE {@code id} of events derived from the server event with {@code seq}. */
    protected final StringBuilder appendEventId(StringBuilder out, long seq) {
        return out.append(responseId).append('.').append(seq);
    }

    /** Whether the exchange has ended. */
    protected final boolean ended() {
        return ended.get();
    }

    /**
     * Ends the exchange: from now on server events are ignored, and {@code CLOSED} is published after everything
     * this exchange published, so the session closes and cancels its upstream if it still runs.
     *
     * @return whether this call ended it; only that caller may write the end of the response
     */
    protected final boolean end() {
        if (!ended.compareAndSet(false, true)) {
            return false;
        }
        feed.signal(new SessionSignal.Closed(this));
        return true;
    }

    /** The Jetty callback, completed at most once whoever completes it. */
    protected final Callback callback() {
        return once;
    }

    /** Answers with an error status and body, if nothing else has ended the exchange. Any thread. */
    protected final void refuse(HttpError error) {
        if (end()) {
            HttpErrors.write(json, response, once, error);
        }
    }

    /** A write of the response failed or was aborted (Jetty or shard thread): the client is gone. */
    protected final void onWriteFailed(Throwable cause) {
        abandoned = true;
        once.failed(cause);
        end();
        onAbandoned();
    }

    private void onRequestFailed(Throwable cause) {
        LOG.debug("a chat-completions client went away", cause);
        onWriteFailed(cause);
    }
}
