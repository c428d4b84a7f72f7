package dev.switchboard.broker.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.broker.session.RealtimeSession;
import dev.switchboard.broker.transport.http.HttpErrors.HttpError;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code stream} false or absent: the answer collected into one {@code chat.completion} object, sent at
 * {@code response.done}. A failed response is an HTTP error whose status follows the failure
 * ({@link HttpErrors#statusForFailure}). A failover that restarts the answer discards what was collected. The
 * collected output is bounded by the response's output-token cap. Shard thread, as {@link ChatExchange}.
 */
final class CollectingExchange extends ChatExchange {
    private final StringBuilder text = new StringBuilder();
    private final List<ToolCallBuilder> calls = new ArrayList<>();
    private boolean hasText;

    CollectingExchange(RealtimeSession session, ChatCall call, Request request, Response response,
                       Callback callback, ObjectMapper json, ScheduledExecutorService scheduler,
                       long createdEpochSeconds) {
        super(session, call, request, response, callback, json, scheduler, createdEpochSeconds);
    }

    @Override
    void onCreated() {
        // Nothing is sent before the answer is complete.
    }

    @Override
    void onText(long seq, String delta) {
        hasText = true;
        text.append(delta);
    }

    @Override
    void onToolCall(long seq, int index, String callId, String name) {
        calls.add(new ToolCallBuilder(callId, name));
    }

    @Override
    void onToolArguments(long seq, int index, String fragment) {
        calls.get(index).arguments.append(fragment);
    }

    @Override
    void onFailover(long seq, String event, boolean restart) {
        if (restart) {
            text.setLength(0);
            hasText = false;
            calls.clear();
        }
    }

    @Override
    void onAnswered(long seq, JsonNode realtimeResponse, String finishReason) {
        List<ChatJson.ToolCall> done = new ArrayList<>(calls.size());
        for (ToolCallBuilder call : calls) {
            done.add(new ChatJson.ToolCall(call.id, call.name, call.arguments.toString()));
        }
        String body = chat().completion(text.toString(), hasText, done, finishReason,
                realtimeResponse.path("usage")).toString();
        if (end()) {
            HttpErrors.writeJson(response, callback(), 200, body);
        }
    }

    @Override
    void onFailed(long seq, ChatJson.Failure failure) {
        refuse(HttpError.of(HttpErrors.statusForFailure(failure.code()), failure.code(), failure.message()));
    }

    @Override
    void onRejected(HttpError error) {
        refuse(error);
    }

    /** A tool call being assembled. */
    private static final class ToolCallBuilder {
        final String id;
        final String name;
        final StringBuilder arguments = new StringBuilder();

        ToolCallBuilder(String id, String name) {
            this.id = id;
            this.name = name;
        }
    }
}
