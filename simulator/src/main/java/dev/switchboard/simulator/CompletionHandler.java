package dev.switchboard.simulator;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A completion endpoint ({@code POST /v1/chat/completions} or {@code POST /v1/messages}, plain or under a
 * {@code /faults/{spec}} prefix): reads the body asynchronously, applies the path's faults, validates the body
 * with its {@link ProviderApi}, and hands the response to a {@link PacedStream} ({@code "stream": true}) or a
 * {@link NonStreamingReply}. Never blocks a Jetty thread.
 *
 * <p>Order of checks: API headers (e.g. {@code anthropic-version}), body size, then a fault
 * {@linkplain FaultProfile.Rejection rejection} (before validation, as a provider's front door refuses before
 * reading the request), then validation, then {@code reject_prefill}. Every request a fault changes counts once
 * in {@link SimulatorStats#faultsInjected()}. Thread-safe; one instance per API serves every request.
 */
final class CompletionHandler {

    /** Generous for text prompts; larger bodies are refused with 413 before generation. */
    static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(CompletionHandler.class);

    private final ProviderApi api;
    private final SimulatorRuntime runtime;
    private final AtomicLong sequence = new AtomicLong();

    CompletionHandler(ProviderApi api, SimulatorRuntime runtime) {
        this.api = api;
        this.runtime = runtime;
    }

    /** Handles one request with {@code faults} ({@link FaultProfile#NONE} on the plain path); always true. */
    boolean handle(Request request, Response response, Callback callback, FaultProfile faults) {
        long arrivalNanos = request.getHeadersNanoTime();
        Optional<ErrorReply> badHeaders = api.checkHeaders(request);
        if (badHeaders.isPresent()) {
            badHeaders.get().write(response, callback);
            return true;
        }
        if (request.getLength() > MAX_BODY_BYTES) {
            api.error(OpenAiError.bodyTooLarge(MAX_BODY_BYTES)).write(response, callback);
            return true;
        }
        Content.Source.asByteArrayAsync(request, MAX_BODY_BYTES).whenComplete((body, failure) -> {
            if (failure != null) {
                onBodyFailure(response, callback, failure);
            } else {
                onBody(request, response, callback, body, faults, arrivalNanos);
            }
        });
        return true;
    }

    private void onBody(Request request, Response response, Callback callback, byte[] body, FaultProfile faults,
            long arrivalNanos) {
        try {
            if (faults.rejection().isPresent()) {
                reject(request, response, callback, faults.rejection().get());
                return;
            }
            ParseResult<ChatRequest> parsed = api.parse(body, request);
            if (parsed instanceof ParseResult.Invalid<ChatRequest> invalid) {
                api.error(invalid.error()).write(response, callback);
                return;
            }
            ChatRequest chat = ((ParseResult.Valid<ChatRequest>) parsed).value();
            if (faults.rejectPrefill() && chat.lastTurn() == ChatRequest.LastTurn.PREFILL) {
                runtime.stats().onFaultInjected();
                api.prefillRejected().write(response, callback);
                return;
            }
            if (faults.shapes(chat.stream())) {
                runtime.stats().onFaultInjected();
            }
            GenerationPlan plan = GenerationPlan.of(chat, api.idPrefix(), sequence.incrementAndGet(),
                    runtime.nowEpochSeconds(), faults);
            if (chat.stream()) {
                new PacedStream(response, callback, plan, api.streamEncoder(plan), runtime, arrivalNanos)
                        .start(request);
            } else {
                new NonStreamingReply(response, callback, plan, runtime, api).start(request, arrivalNanos);
            }
        } catch (RuntimeException e) {
            // A bug, not a bad request: fail this exchange rather than leave the callback dangling.
            LOG.warn("Completion failed before responding", e);
            callback.failed(e);
        }
    }

    private void reject(Request request, Response response, Callback callback, FaultProfile.Rejection rejection) {
        runtime.stats().onFaultInjected();
        if (rejection instanceof FaultProfile.Status status) {
            status.retryAfterSeconds().ifPresent(seconds -> response.getHeaders().put(HttpHeader.RETRY_AFTER,
                    Long.toString(seconds)));
            api.statusFault(status).write(response, callback);
        } else if (rejection instanceof FaultProfile.Reset) {
            ConnectionFaults.reset(request, callback);
        } else {
            new HeldExchange(callback, runtime.inFlight()).start(request);
        }
    }

    private void onBodyFailure(Response response, Callback callback, Throwable failure) {
        // Jetty reports an over-long chunked body as an IllegalArgumentException; anything else is I/O.
        if (failure instanceof IllegalArgumentException || failure.getCause() instanceof IllegalArgumentException) {
            api.error(OpenAiError.bodyTooLarge(MAX_BODY_BYTES)).write(response, callback);
        } else {
            callback.failed(failure);
        }
    }
}
