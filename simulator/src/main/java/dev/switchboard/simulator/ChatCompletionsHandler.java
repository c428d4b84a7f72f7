package dev.switchboard.simulator;

import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/chat/completions}: reads the body asynchronously, validates it, and hands the response to a
 * {@link PacedStream} with an {@link OpenAiChunkEncoder} ({@code "stream": true}) or to a
 * {@link NonStreamingReply}. Never blocks a Jetty thread.
 * Thread-safe; one instance serves every request.
 */
final class ChatCompletionsHandler implements Request.Handler {

    static final String PATH = "/v1/chat/completions";
    /** Generous for text prompts; larger bodies are refused with 413 before generation. */
    static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(ChatCompletionsHandler.class);

    private final SimulatorRuntime runtime;
    private final AtomicLong sequence = new AtomicLong();

    ChatCompletionsHandler(SimulatorRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        long arrivalNanos = request.getHeadersNanoTime();
        if (request.getLength() > MAX_BODY_BYTES) {
            OpenAiError.bodyTooLarge(MAX_BODY_BYTES).write(response, callback);
            return true;
        }
        Content.Source.asByteArrayAsync(request, MAX_BODY_BYTES).whenComplete((body, failure) -> {
            if (failure != null) {
                onBodyFailure(response, callback, failure);
            } else {
                onBody(request, response, callback, body, arrivalNanos);
            }
        });
        return true;
    }

    private void onBody(Request request, Response response, Callback callback, byte[] body, long arrivalNanos) {
        try {
            ParseResult<ChatRequest> parsed = ChatRequestParser.parse(body);
            if (parsed instanceof ParseResult.Invalid<ChatRequest> invalid) {
                invalid.error().write(response, callback);
                return;
            }
            ChatRequest chat = ((ParseResult.Valid<ChatRequest>) parsed).value();
            GenerationPlan plan = GenerationPlan.of(chat, sequence.incrementAndGet(), runtime.nowEpochSeconds());
            if (chat.stream()) {
                new PacedStream(response, callback, plan, new OpenAiChunkEncoder(plan), runtime, arrivalNanos)
                        .start(request);
            } else {
                new NonStreamingReply(response, callback, plan, runtime).start(request, arrivalNanos);
            }
        } catch (RuntimeException e) {
            // A bug, not a bad request: fail this exchange rather than leave the callback dangling.
            LOG.warn("Chat completion failed before responding", e);
            callback.failed(e);
        }
    }

    private static void onBodyFailure(Response response, Callback callback, Throwable failure) {
        // Jetty reports an over-long chunked body as an IllegalArgumentException; anything else is I/O.
        if (failure instanceof IllegalArgumentException || failure.getCause() instanceof IllegalArgumentException) {
            OpenAiError.bodyTooLarge(MAX_BODY_BYTES).write(response, callback);
        } else {
            callback.failed(failure);
        }
    }
}
