package dev.switchboard.bridge.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

/**
 * Maps chat-completion chunks to upstream events, and every OpenAI failure to an outcome in
 * {@link #onHttpError} and {@link #onFailure}. Confined to one stream's read loop.
 */
final class OpenAiChunkMapper implements SseEventMapper {

    private final ObjectMapper mapper;
    private final UpstreamRequest request;
    private final LongAdder malformedChunks;
    private final ChunkScanner scanner;
    private final Optional<String> apiKey;
    private String finishReason = "";
    private Usage usage;
    private String model;
    private long deltas;

    /** @param apiKey the configured key, removed from any provider text that echoes it */
    OpenAiChunkMapper(ObjectMapper mapper, UpstreamRequest request, LongAdder malformedChunks,
                      Optional<String> apiKey) {
        this.mapper = mapper;
        this.request = request;
        this.malformedChunks = malformedChunks;
        this.scanner = new ChunkScanner(mapper.getFactory());
        this.apiKey = apiKey.filter(key -> !key.isEmpty());
        this.model = request.model();
    }

    @Override
    public void onEvent(SseEvent event, long receivedNanos, Consumer<UpstreamEvent> out) {
        String data = event.data();
        if (data.equals("[DONE]")) {
            out.accept(new UpstreamEvent.End(completed()));
            return;
        }
        try {
            scanner.scan(data);
        } catch (java.io.IOException e) {
            malformedChunks.increment();
            return;
        }
        if (!scanner.needsTree) {
            onScanned(receivedNanos, out);
            return;
        }
        JsonNode chunk;
        try {
            chunk = mapper.readTree(data);
        } catch (JsonProcessingException e) {
            malformedChunks.increment();
            return;
        }
        if (chunk.hasNonNull("error")) {
            out.accept(new UpstreamEvent.End(ProviderText.failed(CloseReason.UPSTREAM_STREAM_BROKEN,
                    "provider error mid-stream", errorText(chunk), apiKey, Optional.empty())));
            return;
        }
        if (chunk.path("model").isTextual()) {
            model = chunk.get("model").asText();
        }
        JsonNode usageNode = chunk.get("usage");
        if (usageNode != null && usageNode.isObject()) {
            usage = Usage.of(usageNode.path("prompt_tokens").asLong(0), usageNode.path("completion_tokens").asLong(0));
        }
        JsonNode choice = chunk.path("choices").path(0);
        JsonNode content = choice.path("delta").path("content");
        if (content.isTextual() && !content.asText().isEmpty()) {
            deltas++;
            out.accept(new UpstreamEvent.TextDelta(content.asText(), receivedNanos));
        }
        JsonNode toolCalls = choice.path("delta").path("tool_calls");
        if (toolCalls.isArray()) {
            for (JsonNode call : toolCalls) {
                deltas++;
                out.accept(new UpstreamEvent.ToolCallDelta(call.path("index").asInt(0), call.path("id").asText(""),
                        call.path("function").path("name").asText(""),
                        call.path("function").path("arguments").asText(""), receivedNanos));
            }
        }
        if (choice.path("finish_reason").isTextual()) {
            finishReason = choice.get("finish_reason").asText();
        }
    }

    private void onScanned(long receivedNanos, Consumer<UpstreamEvent> out) {
        if (scanner.model != null) {
            model = scanner.model;
        }
        if (scanner.hasUsage) {
            usage = Usage.of(scanner.promptTokens, scanner.completionTokens);
        }
        if (scanner.content != null && !scanner.content.isEmpty()) {
            deltas++;
            out.accept(new UpstreamEvent.TextDelta(scanner.content, receivedNanos));
        }
        if (scanner.finishReason != null) {
            finishReason = scanner.finishReason;
        }
    }

    private UpstreamOutcome.Completed completed() {
        Usage reported = usage != null ? usage : Usage.of(estimatePromptTokens(), deltas);
        return new UpstreamOutcome.Completed(finishReason.isEmpty() ? "stop" : finishReason, reported, model);
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
        if (!finishReason.isEmpty()) {
            // The answer finished but the stream lacked [DONE]: finalise rather than wait.
            return completed();
        }
        return new UpstreamOutcome.Failed(CloseReason.UPSTREAM_STREAM_BROKEN,
                "the provider stream ended before the answer finished", Optional.empty());
    }

    @Override
    public UpstreamOutcome onHttpError(int status, HttpFields headers, String body) {
        String providerText = providerText(body);
        Optional<Duration> retryAfter = retryAfter(headers);
        CloseReason reason;
        if (status == 429) {
            reason = CloseReason.UPSTREAM_RATE_LIMITED;
        } else if (status == 401 || status == 403) {
            reason = CloseReason.UPSTREAM_AUTH;
        } else if (status == 408) {
            reason = CloseReason.UPSTREAM_TIMEOUT;
        } else if (status >= 400 && status < 500) {
            reason = refusal(providerCode(body), providerText);
        } else {
            reason = CloseReason.UPSTREAM_UNAVAILABLE;
        }
        return ProviderText.failed(reason, "provider answered HTTP " + status, providerText, apiKey, retryAfter);
    }

    @Override
    public UpstreamOutcome onFailure(Throwable failure, boolean beforeHeaders) {
        if (!beforeHeaders && !finishReason.isEmpty()) {
            // As in onEndOfStream: the answer finished and only the [DONE] was lost with the connection.
            // Failing here would make the broker retry an answer the client already has in full.
            return completed();
        }
        return TransportFailures.outcome(failure, beforeHeaders);
    }

    /** Context-length and content-policy refusals are told apart from other 4xx: routing treats them differently. */
    private static CloseReason refusal(String code, String message) {
        if (code.equals("context_length_exceeded") || code.equals("string_above_max_length")) {
            return CloseReason.UPSTREAM_CONTEXT_LENGTH;
        }
        String lower = message.toLowerCase(java.util.Locale.ROOT);
        if (code.equals("content_policy_violation") || code.equals("content_filter")
                || lower.contains("content management policy") || lower.contains("content policy")) {
            return CloseReason.UPSTREAM_CONTENT_POLICY;
        }
        return CloseReason.UPSTREAM_REJECTED;
    }

    private String providerCode(String body) {
        try {
            JsonNode node = mapper.readTree(body);
            return node == null ? "" : node.path("error").path("code").asText("");
        } catch (JsonProcessingException e) {
            return "";
        }
    }

    /** The provider's error text in an HTTP error body, as received (made safe by {@link ProviderText}). */
    private String providerText(String body) {
        try {
            JsonNode node = mapper.readTree(body);
            return node == null ? "" : errorText(node);
        } catch (JsonProcessingException e) {
            return "";
        }
    }

    /** The provider's own error text (OpenAI {@code error.message} and code), as received; never headers. */
    private static String errorText(JsonNode node) {
        JsonNode error = node.path("error");
        String message = error.isTextual() ? error.asText() : error.path("message").asText("");
        String code = error.path("code").asText("");
        return code.isEmpty() ? message : message + " (" + code + ")";
    }

    private static Optional<Duration> retryAfter(HttpFields headers) {
        return RetryAfter.parse(headers.get(HttpHeader.RETRY_AFTER));
    }
}
