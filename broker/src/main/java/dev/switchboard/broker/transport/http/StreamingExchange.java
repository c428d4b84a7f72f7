package dev.switchboard.broker.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.metrics.BrokerMetrics;
import dev.switchboard.broker.session.RealtimeSession;
import dev.switchboard.broker.transport.http.HttpErrors.HttpError;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code stream: true}: the answer as server-sent events of {@code chat.completion.chunk}.
 *
 * <p>The response is committed (200 and the SSE headers) at {@code response.created}, so input the session
 * refuses before that is still a plain 400. Until the first delta a {@code : keep-alive} comment is sent every
 * {@link #HEARTBEAT}, so proxies and clients do not time out a slow first token. Every event carries
 * {@code id: <response id>.<seq>}, the {@code seq} of the Realtime event it was derived from (a finish chunk, the
 * usage chunk and {@code [DONE]} all come from {@code response.done} and share its id). A failover is an SSE
 * comment, {@code : switchboard.response.failover {...}}, that clients without the extension skip; with
 * {@code "mode":"restart"} the answer starts over after it (role chunk again, tool call indices from 0). An
 * answer ends with the finish chunk, the usage chunk if asked, and {@code data: [DONE]}; a failure ends with
 * {@code data: {"error":{...}}} and no {@code [DONE]}, so no client mistakes a broken answer for a whole one.
 *
 * <p>Threading: as {@link ChatExchange}; the heartbeat runs on the scheduler and only offers to the writer.
 */
final class StreamingExchange extends ChatExchange {
    /** Keep-alive interval while no delta has been sent: well under common proxy and Jetty idle timeouts. */
    static final Duration HEARTBEAT = Duration.ofSeconds(3);
    private static final String KEEP_ALIVE = ": keep-alive\n\n";

    private final SseWriter writer;
    private final boolean resumed;
    private final ResumableStreams resumable;
    private boolean committed;
    private boolean roleSent;
    private volatile boolean delivering;
    private volatile ScheduledFuture<?> heartbeat;

    StreamingExchange(RealtimeSession session, ChatCall call, Request request, Response response, Callback callback,
                      ObjectMapper json, ScheduledExecutorService scheduler, long createdEpochSeconds,
                      BrokerConfig.Outbound bounds, BrokerMetrics metrics, boolean resumed,
                      ResumableStreams resumable) {
        super(session, call, request, response, callback, json, scheduler, createdEpochSeconds);
        this.resumed = resumed;
        this.resumable = resumable;
        // A resumed stream continues an answer whose role chunk the client already has, unless the replay
        // shows the answer's first item opening (see onItemOpened).
        this.roleSent = resumed;
        this.writer = new SseWriter(response, session, this, bounds, metrics, callback(), this::onWriteFailed,
                session.shard().batch());
    }

    @Override
    boolean isResumed() {
        return resumed;
    }

    @Override
    void onMessageItemOpened() {
        if (resumed && !delivering) {
            roleSent = false;
        }
    }

    @Override
    void onCreated() {
        resumable.opened(responseId(), session.id(), session.tenantId());
        committed = true;
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache, no-transform");
        response.getHeaders().put("X-Accel-Buffering", "no");
        // Jetty writes it only where it means something (HTTP/1.0); HTTP/1.1 connections persist by default.
        response.getHeaders().put(HttpHeader.CONNECTION, "keep-alive");
        writer.offer("", false);
        long period = HEARTBEAT.toMillis();
        heartbeat = scheduler.scheduleAtFixedRate(this::beat, period, period, TimeUnit.MILLISECONDS);
    }

    private void beat() {
        if (delivering || !writer.offer(KEEP_ALIVE, false)) {
            stopHeartbeat();
        }
    }

    private void stopHeartbeat() {
        ScheduledFuture<?> current = heartbeat;
        if (current != null) {
            current.cancel(false);
        }
    }

    @Override
    void onText(long seq, String text) {
        if (delivering && roleSent) {
            // Every token after the first: the chunk from its template, no tree, framed in the same builder (issue 12).
            StringBuilder out = eventHead(new StringBuilder(384 + text.length()), seq);
            writer.offer(chat().appendTextChunk(out, text, call.includeUsage()).append("\n\n").toString(), false);
            return;
        }
        ObjectNode delta = startDelta(false);
        delta.put("content", text);
        send(seq, delta);
    }

    @Override
    void onToolCall(long seq, int index, String callId, String name) {
        ObjectNode delta = startDelta(true);
        delta.setAll(chat().toolCallStart(index, callId, name));
        send(seq, delta);
    }

    @Override
    void onToolArguments(long seq, int index, String fragment) {
        send(seq, chat().toolCallArguments(index, fragment));
    }

    /** A delta object, with {@code role} (and for a tool call a null {@code content}) when it opens the answer. */
    private ObjectNode startDelta(boolean toolCall) {
        if (!delivering) {
            delivering = true;
            stopHeartbeat();
        }
        ObjectNode delta = json.createObjectNode();
        if (!roleSent) {
            roleSent = true;
            delta.put("role", "assistant");
            if (toolCall) {
                delta.putNull("content");
            }
        }
        return delta;
    }

    private void send(long seq, ObjectNode delta) {
        writer.offer(event(seq, chat().chunk(delta, Optional.empty(), call.includeUsage())), false);
    }

    @Override
    void onFailover(long seq, String event, boolean restart) {
        if (restart && delivering) {
            // A chat completion has one choice and no second item: the fallback's fresh answer after the text
            // already sent would be a spliced, garbled answer reported as success (issue 11). End with an
            // in-band error, which the OpenAI SDKs raise, and no [DONE]; the session cancels the response.
            endWithError(seq, HttpError.of(502, "upstream_stream_broken", "the provider failed mid-answer and the "
                    + "route could not continue the same text exactly (the next target would restart the answer); "
                    + "retry the request"));
            return;
        }
        // A comment, so clients without the extension skip it; one line, as the codec writes compact JSON.
        writer.offer(": switchboard.response.failover " + event.replace('\n', ' ').replace('\r', ' ') + "\n\n",
                false);
        if (restart) {
            roleSent = false;
        }
    }

    @Override
    void onAnswered(long seq, JsonNode realtimeResponse, String finishReason) {
        stopHeartbeat();
        StringBuilder out = new StringBuilder();
        if (!roleSent) {
            ObjectNode opening = json.createObjectNode().put("role", "assistant").put("content", "");
            out.append(event(seq, chat().chunk(opening, Optional.empty(), call.includeUsage())));
        }
        out.append(event(seq, chat().chunk(json.createObjectNode(), Optional.of(finishReason),
                call.includeUsage())));
        if (call.includeUsage()) {
            out.append(event(seq, chat().usageChunk(realtimeResponse.path("usage"))));
        }
        appendEventId(out.append("id: "), seq).append("\ndata: [DONE]\n\n");
        if (end()) {
            writer.offer(out.toString(), true);
        }
    }

    @Override
    void onFailed(long seq, ChatJson.Failure failure) {
        int status = HttpErrors.statusForFailure(failure.code());
        HttpError error = HttpError.of(status, failure.code(), failure.message());
        endWithError(seq, error);
    }

    @Override
    void onRejected(HttpError error) {
        endWithError(-1, error);
    }

    /** Before the commit a plain HTTP error; after it an {@code error} event and the end of the stream. */
    private void endWithError(long seq, HttpError error) {
        stopHeartbeat();
        if (!committed) {
            refuse(error);
            return;
        }
        ObjectNode body = HttpErrors.body(json, error.message(), error.type(), error.param(), error.code());
        if (end()) {
            writer.offer(seq < 0 ? "data: " + body + "\n\n" : event(seq, body), true);
        }
    }

    @Override
    void onAbandoned() {
        stopHeartbeat();
    }

    private String event(long seq, JsonNode data) {
        return event(seq, data.toString());
    }

    private String event(long seq, String data) {
        return eventHead(new StringBuilder(64 + data.length()), seq).append(data).append("\n\n").toString();
    }

    /** An event's {@code id} line and the start of its {@code data} line. */
    private StringBuilder eventHead(StringBuilder out, long seq) {
        return appendEventId(out.append("id: "), seq).append("\ndata: ");
    }
}
