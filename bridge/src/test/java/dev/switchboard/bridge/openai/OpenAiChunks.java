package dev.switchboard.bridge.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.bridge.fakeprovider.Step;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Chat-completion stream chunks as OpenAI sends them, for scripting the fake provider. Every chunk names
 * {@link #MODEL}, the dated model that "actually answered", which differs from the requested alias.
 */
final class OpenAiChunks {
    static final String MODEL = "gpt-test-2025-01-01";
    private static final ObjectMapper JSON = new ObjectMapper();

    private OpenAiChunks() {
    }

    /** The first chunk: the assistant role and empty content. */
    static String role() {
        ObjectNode chunk = envelope();
        ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
        choice.putObject("delta").put("role", "assistant").put("content", "");
        choice.putNull("finish_reason");
        return write(chunk);
    }

    static String content(String text) {
        ObjectNode chunk = envelope();
        ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
        choice.putObject("delta").put("content", text);
        choice.putNull("finish_reason");
        return write(chunk);
    }

    static String finish(String reason) {
        ObjectNode chunk = envelope();
        ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
        choice.putObject("delta");
        choice.put("finish_reason", reason);
        return write(chunk);
    }

    /** The {@code include_usage} chunk: no choices, only usage. */
    static String usage(int promptTokens, int completionTokens) {
        ObjectNode chunk = envelope();
        chunk.putArray("choices");
        chunk.putObject("usage").put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens)
                .put("total_tokens", promptTokens + completionTokens);
        return write(chunk);
    }

    /** An OpenAI error object, as an HTTP error body or an in-band stream chunk. */
    static String error(String message, String type, String code) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("error").put("message", message).put("type", type).putNull("param").put("code", code);
        return write(body);
    }

    static Step data(String json) {
        return Step.data(json);
    }

    static Step done() {
        return Step.data("[DONE]");
    }

    /** A whole successful stream: headers, role chunk, one chunk per delta, stop, usage and [DONE]. */
    static List<Step> answer(int promptTokens, String... deltas) {
        List<Step> steps = new ArrayList<>(opening());
        for (String delta : deltas) {
            steps.add(data(content(delta)));
        }
        steps.add(data(finish("stop")));
        steps.add(data(usage(promptTokens, deltas.length)));
        steps.add(done());
        return steps;
    }

    /** The texts {@code [d<from>], ..., [d<to - 1>]}: numbered deltas, so order and gaps are visible. */
    static List<String> numbered(int from, int to) {
        List<String> texts = new ArrayList<>();
        for (int i = from; i < to; i++) {
            texts.add("[d" + i + "]");
        }
        return texts;
    }

    /** The SSE text of content chunks for {@code texts}, to write in one go. */
    static String contentEvents(List<String> texts) {
        StringBuilder sse = new StringBuilder();
        for (String text : texts) {
            sse.append("data: ").append(content(text)).append("\n\n");
        }
        return sse.toString();
    }

    /**
     * An answer of {@code count} numbered deltas, each written after {@code gap}, then stop, usage and [DONE].
     * Prompt tokens are 1 and completion tokens {@code count}.
     */
    static List<Step> trickle(int count, Duration gap) {
        List<Step> steps = new ArrayList<>(opening());
        steps.addAll(trickleRest(0, count, gap));
        return steps;
    }

    /** The part of {@link #trickle(int, Duration) trickle(to, gap)} from delta {@code from} on. */
    static List<Step> trickleRest(int from, int to, Duration gap) {
        List<Step> steps = new ArrayList<>();
        for (String text : numbered(from, to)) {
            steps.add(Step.delay(gap));
            steps.add(data(content(text)));
        }
        steps.addAll(trailer(to));
        return steps;
    }

    /** The end of an answer of {@code count} deltas: stop, usage (1 prompt token) and [DONE]. */
    static List<Step> trailer(int count) {
        return List.of(data(finish("stop")), data(usage(1, count)), done());
    }

    /** SSE headers and the role chunk. */
    static List<Step> opening() {
        return List.of(Step.sseHeaders(), data(role()));
    }

    private static ObjectNode envelope() {
        return JSON.createObjectNode().put("id", "chatcmpl-test").put("object", "chat.completion.chunk")
                .put("created", 1_700_000_000L).put("model", MODEL).putNull("system_fingerprint");
    }

    private static String write(ObjectNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
