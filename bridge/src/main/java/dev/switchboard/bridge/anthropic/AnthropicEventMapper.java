package dev.switchboard.bridge.anthropic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.switchboard.bridge.sse.SseEvent;
import dev.switchboard.bridge.sse.SseEventMapper;
import dev.switchboard.bridge.sse.TransportFailures;
import dev.switchboard.bridge.upstream.UpstreamEvent;
import dev.switchboard.bridge.upstream.ProviderText;
import dev.switchboard.bridge.upstream.RetryAfter;
import dev.switchboard.bridge.upstream.UpstreamOutcome;
import dev.switchboard.bridge.upstream.UpstreamRequest;
import dev.switchboard.protocol.close.CloseReason;
import dev.switchboard.protocol.event.ConversationItem;
import dev.switchboard.protocol.event.Usage;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

/**
 * Maps Messages API stream events to upstream events, and Anthropic's failures to outcomes. Every failure the
 * provider reports, as an HTTP error or as an in-band {@code error} event, gets its {@link CloseReason} from
 * {@link #classify}. Confined to one stream's read loop.
 *
 * <p>Events: {@code message_start} gives the model and input usage; {@code content_block_start} of a
 * {@code tool_use} block opens a tool call (its block index is mapped to a 0-based call index); each
 * {@code content_block_delta} is a {@link UpstreamEvent.TextDelta} ({@code text_delta}) or a
 * {@link UpstreamEvent.ToolCallDelta} fragment ({@code input_json_delta}), read on a streaming fast path;
 * {@code message_delta} gives the stop reason and output usage; {@code message_stop} completes the stream.
 * {@code ping} is ignored, thinking blocks carry no answer text, unknown event types are counted and skipped,
 * and data that is not valid JSON is counted as malformed and skipped.
 */
final class AnthropicEventMapper implements SseEventMapper {

    private final ObjectMapper mapper;
    private final UpstreamRequest request;
    private final LongAdder malformedEvents;
    private final LongAdder unknownEvents;
    private final DeltaScanner scanner;
    private final Optional<String> apiKey;
    /** Content block index to tool-call index, for the {@code tool_use} blocks of this answer. */
    private final Map<Integer, Integer> toolCallByBlock = new HashMap<>();
    private String stopReason = "";
    private String model;
    private long inputTokens = -1;
    private long outputTokens = -1;
    private long deltas;

    /** @param apiKey the configured key, removed from any provider text that echoes it */
    AnthropicEventMapper(ObjectMapper mapper, UpstreamRequest request, LongAdder malformedEvents,
                         LongAdder unknownEvents, Optional<String> apiKey) {
        this.mapper = mapper;
        this.request = request;
        this.malformedEvents = malformedEvents;
        this.unknownEvents = unknownEvents;
        this.scanner = new DeltaScanner(mapper.getFactory());
        this.apiKey = apiKey.filter(key -> !key.isEmpty());
        this.model = request.model();
    }

    @Override
    public void onEvent(SseEvent event, long receivedNanos, Consumer<UpstreamEvent> out) {
        switch (event.event()) {
            case "ping" -> {
                // Keep-alive.
            }
            case "content_block_delta" -> {
                try {
                    scanner.scan(event.data());
                } catch (IOException e) {
                    malformedEvents.increment();
                    return;
                }
                onDelta(scanner.index, scanner.deltaType, scanner.fragment, receivedNanos, out);
            }
            default -> onTreeEvent(event, receivedNanos, out);
        }
    }

    /** The rare events, read as a tree; the type comes from the data, or the SSE event name without one. */
    private void onTreeEvent(SseEvent event, long receivedNanos, Consumer<UpstreamEvent> out) {
        JsonNode node = parse(event.data());
        if (!node.isObject()) {
            if (event.event().equals("error")) {
                // Unreadable, but an error all the same: the provider ended the answer.
                out.accept(new UpstreamEvent.End(inBandError(MissingNode.getInstance())));
            } else {
                malformedEvents.increment();
            }
            return;
        }
        switch (node.path("type").asText(event.event())) {
            case "message_start" -> onMessageStart(node.path("message"));
            case "content_block_start" -> onBlockStart(node, receivedNanos, out);
            case "content_block_delta" -> {
                JsonNode delta = node.path("delta");
                String fragment = delta.has("partial_json") ? delta.path("partial_json").asText("")
                        : delta.path("text").asText("");
                onDelta(node.path("index").asInt(-1), delta.path("type").asText(""), fragment, receivedNanos, out);
            }
            case "message_delta" -> {
                JsonNode reason = node.path("delta").path("stop_reason");
                if (reason.isTextual()) {
                    stopReason = reason.asText();
                }
                readUsage(node.path("usage"));
            }
            case "message_stop" -> out.accept(new UpstreamEvent.End(completed()));
            case "error" -> out.accept(new UpstreamEvent.End(inBandError(node)));
            case "content_block_stop", "ping" -> {
                // Nothing to deliver: a block's end carries no data, and a call's end is the answer's end.
            }
            default -> unknownEvents.increment();
        }
    }

    private JsonNode parse(String data) {
        try {
            JsonNode node = mapper.readTree(data);
            return node == null ? MissingNode.getInstance() : node;
        } catch (JsonProcessingException e) {
            return MissingNode.getInstance();
        }
    }

    private void onMessageStart(JsonNode message) {
        if (message.path("model").isTextual()) {
            model = message.get("model").asText();
        }
        // Its output_tokens is a placeholder; the real count comes with message_delta.
        readInputTokens(message.path("usage"));
    }

    private void onBlockStart(JsonNode node, long receivedNanos, Consumer<UpstreamEvent> out) {
        JsonNode block = node.path("content_block");
        switch (block.path("type").asText("")) {
            case "text" -> {
                String text = block.path("text").asText("");
                if (!text.isEmpty()) {
                    deltas++;
                    out.accept(new UpstreamEvent.TextDelta(text, receivedNanos));
                }
            }
            case "tool_use" -> {
                int call = toolCallByBlock.size();
                toolCallByBlock.put(node.path("index").asInt(-1), call);
                // Streams start with input {}; the arguments follow as input_json_delta fragments.
                JsonNode input = block.path("input");
                String arguments = input.isObject() && !input.isEmpty() ? input.toString() : "";
                deltas++;
                out.accept(new UpstreamEvent.ToolCallDelta(call, block.path("id").asText(""),
                        block.path("name").asText(""), arguments, receivedNanos));
            }
            default -> {
                // Thinking and server-tool blocks are not part of the answer the client sees.
            }
        }
    }

    private void onDelta(int index, String type, String fragment, long receivedNanos, Consumer<UpstreamEvent> out) {
        if (type.equals("text_delta")) {
            if (!fragment.isEmpty()) {
                deltas++;
                out.accept(new UpstreamEvent.TextDelta(fragment, receivedNanos));
            }
        } else if (type.equals("input_json_delta")) {
            Integer call = toolCallByBlock.get(index);
            if (call == null) {
                // Arguments for a block that never started as a tool call cannot be attributed.
                malformedEvents.increment();
            } else if (!fragment.isEmpty()) {
                deltas++;
                out.accept(new UpstreamEvent.ToolCallDelta(call, "", "", fragment, receivedNanos));
            }
        }
        // Other deltas (thinking, signatures, citations) carry no answer text.
    }

    private void readUsage(JsonNode usage) {
        readInputTokens(usage);
        if (usage.path("output_tokens").isIntegralNumber()) {
            outputTokens = usage.get("output_tokens").asLong();
        }
    }

    /** Input tokens as OpenAI counts them: Anthropic reports cache writes and reads apart from input_tokens. */
    private void readInputTokens(JsonNode usage) {
        long total = 0;
        boolean reported = false;
        for (String field : new String[] {"input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"}) {
            if (usage.path(field).isIntegralNumber()) {
                total += usage.get(field).asLong();
                reported = true;
            }
        }
        if (reported) {
            inputTokens = total;
        }
    }

    private UpstreamOutcome.Completed completed() {
        long input = inputTokens >= 0 ? inputTokens : estimatePromptTokens();
        long output = outputTokens >= 0 ? outputTokens : deltas;
        return new UpstreamOutcome.Completed(finishReason(stopReason), Usage.of(input, output), model);
    }

    /** Anthropic's stop reason in the normalised vocabulary of {@link UpstreamOutcome.Completed}. */
    static String finishReason(String stopReason) {
        return switch (stopReason) {
            case "max_tokens", "model_context_window_exceeded" -> "length";
            case "tool_use" -> "tool_calls";
            case "refusal" -> "content_filter";
            // end_turn, stop_sequence, pause_turn, none seen, and reasons added later.
            default -> "stop";
        };
    }

    private long estimatePromptTokens() {
        long chars = request.instructions().length();
        for (ConversationItem item : request.items()) {
            chars += item.text().length();
        }
        return Math.max(1, chars / 4);
    }

    @Override
    public UpstreamOutcome onEndOfStream() {
        if (!stopReason.isEmpty()) {
            // The answer finished (message_delta came) but message_stop did not: finalise rather than fail.
            return completed();
        }
        return new UpstreamOutcome.Failed(CloseReason.UPSTREAM_STREAM_BROKEN,
                "the provider stream ended before the answer finished", Optional.empty());
    }

    @Override
    public UpstreamOutcome onHttpError(int status, HttpFields headers, String body) {
        ProviderError error = providerError(parse(body));
        return ProviderText.failed(classify(false, status, error), "provider answered HTTP " + status, error.text(),
                apiKey, retryAfter(headers));
    }

    /** An {@code error} event after the 200: the provider gave up on the answer mid-stream. */
    private UpstreamOutcome.Failed inBandError(JsonNode node) {
        ProviderError error = providerError(node);
        return ProviderText.failed(classify(true, statusOf(error.type()), error), "provider error mid-stream",
                error.text(), apiKey, Optional.empty());
    }

    /**
     * The one place an Anthropic error becomes a {@link CloseReason}: 429 is a rate limit; 401 and 403 are auth;
     * 408 is a timeout; 529 (overloaded) and other 5xx are unavailability; a 4xx refusal is a context-length
     * ("prompt is too long") or content-policy refusal when its message says so, else a rejection. An in-band
     * error is classified by the status its type stands for, except that a server-side error there means the
     * stream broke after it had been accepted.
     *
     * @param inBand whether it came as an {@code error} event in a 200 stream
     * @param status the HTTP status, or for an in-band error the status of its type (see {@link #statusOf})
     */
    static CloseReason classify(boolean inBand, int status, ProviderError error) {
        if (status == 429) {
            return CloseReason.UPSTREAM_RATE_LIMITED;
        }
        if (status == 401 || status == 403) {
            return CloseReason.UPSTREAM_AUTH;
        }
        if (status == 408) {
            return CloseReason.UPSTREAM_TIMEOUT;
        }
        if (status >= 400 && status < 500) {
            String text = error.text().toLowerCase(Locale.ROOT);
            if (text.contains("prompt is too long") || text.contains("context limit")
                    || text.contains("context window")) {
                return CloseReason.UPSTREAM_CONTEXT_LENGTH;
            }
            if (text.contains("content policy") || text.contains("content filtering policy")
                    || text.contains("usage policy")) {
                return CloseReason.UPSTREAM_CONTENT_POLICY;
            }
            return CloseReason.UPSTREAM_REJECTED;
        }
        // 529 overloaded, other 5xx, and statuses a client cannot act on (an unfollowed 3xx).
        return inBand ? CloseReason.UPSTREAM_STREAM_BROKEN : CloseReason.UPSTREAM_UNAVAILABLE;
    }

    /** The HTTP status Anthropic uses for an error type; unknown types count as server errors. */
    static int statusOf(String errorType) {
        return switch (errorType) {
            case "invalid_request_error" -> 400;
            case "authentication_error" -> 401;
            case "billing_error" -> 402;
            case "permission_error" -> 403;
            case "not_found_error" -> 404;
            case "request_too_large" -> 413;
            case "rate_limit_error" -> 429;
            case "overloaded_error" -> 529;
            default -> 500;
        };
    }

    @Override
    public UpstreamOutcome onFailure(Throwable failure, boolean beforeHeaders) {
        if (!beforeHeaders && !stopReason.isEmpty()) {
            // As in onEndOfStream: the answer finished and only message_stop was lost with the connection.
            // Failing here would make the broker retry an answer the client already has in full.
            return completed();
        }
        return TransportFailures.outcome(failure, beforeHeaders);
    }

    /**
     * The provider's own error ({@code {"type":"error","error":{"type","message"}}}) as received; never headers.
     * {@link ProviderText} makes it safe before anyone sees it.
     */
    private static ProviderError providerError(JsonNode node) {
        JsonNode error = node.path("error");
        String type = error.path("type").asText("");
        String message = error.isTextual() ? error.asText() : error.path("message").asText("");
        return new ProviderError(type, type.isEmpty() || message.isEmpty() ? message + type
                : message + " (" + type + ")");
    }

    private static Optional<Duration> retryAfter(HttpFields headers) {
        return RetryAfter.parse(headers.get(HttpHeader.RETRY_AFTER));
    }

    /**
     * An error as the provider described it.
     *
     * @param type Anthropic's error type ({@code overloaded_error}), or empty
     * @param text its message and type as received (unsafe until {@link ProviderText} redacts it); or empty
     */
    record ProviderError(String type, String text) {
    }
}
