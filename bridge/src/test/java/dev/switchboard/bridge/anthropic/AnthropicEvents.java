package dev.switchboard.bridge.anthropic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.bridge.fakeprovider.Step;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Messages API stream events exactly as Anthropic sends them ({@code event:} name and {@code data:} JSON), for
 * scripting the fake provider. {@code message_start} names {@link #MODEL}, the dated model that "actually
 * answered", which differs from the requested alias.
 */
final class AnthropicEvents {
    static final String MODEL = "claude-test-20250101";
    private static final ObjectMapper JSON = new ObjectMapper();

    private AnthropicEvents() {
    }

    /** {@code message_start} with {@code input_tokens} and the placeholder output count Anthropic sends. */
    static Step messageStart(int inputTokens) {
        ObjectNode message = JSON.createObjectNode().put("id", "msg_01XFDUDYJgAACzvnptvVoYEL").put("type", "message")
                .put("role", "assistant");
        message.putArray("content");
        message.put("model", MODEL).putNull("stop_reason").putNull("stop_sequence");
        message.putObject("usage").put("input_tokens", inputTokens).put("output_tokens", 1);
        ObjectNode event = JSON.createObjectNode().put("type", "message_start");
        event.set("message", message);
        return event("message_start", event);
    }

    static Step textBlockStart(int index) {
        ObjectNode event = JSON.createObjectNode().put("type", "content_block_start").put("index", index);
        event.putObject("content_block").put("type", "text").put("text", "");
        return event("content_block_start", event);
    }

    static Step toolUseBlockStart(int index, String id, String name) {
        ObjectNode event = JSON.createObjectNode().put("type", "content_block_start").put("index", index);
        ObjectNode block = event.putObject("content_block").put("type", "tool_use").put("id", id).put("name", name);
        block.putObject("input");
        return event("content_block_start", event);
    }

    static Step ping() {
        return Step.event("ping", "{\"type\": \"ping\"}");
    }

    static Step text(String text) {
        return text(0, text);
    }

    static Step text(int index, String text) {
        return Step.event("content_block_delta", textData(index, text));
    }

    static String textData(int index, String text) {
        ObjectNode event = JSON.createObjectNode().put("type", "content_block_delta").put("index", index);
        event.putObject("delta").put("type", "text_delta").put("text", text);
        return write(event);
    }

    static Step inputJson(int index, String partialJson) {
        ObjectNode event = JSON.createObjectNode().put("type", "content_block_delta").put("index", index);
        event.putObject("delta").put("type", "input_json_delta").put("partial_json", partialJson);
        return event("content_block_delta", event);
    }

    static Step blockStop(int index) {
        ObjectNode event = JSON.createObjectNode().put("type", "content_block_stop").put("index", index);
        return event("content_block_stop", event);
    }

    static Step messageDelta(String stopReason, int outputTokens) {
        ObjectNode event = JSON.createObjectNode().put("type", "message_delta");
        event.putObject("delta").put("stop_reason", stopReason).putNull("stop_sequence");
        event.putObject("usage").put("output_tokens", outputTokens);
        return event("message_delta", event);
    }

    static Step messageStop() {
        return Step.event("message_stop", "{\"type\":\"message_stop\"}");
    }

    /** An Anthropic error object, as an HTTP error body or the data of an in-band {@code error} event. */
    static String error(String type, String message) {
        ObjectNode body = JSON.createObjectNode().put("type", "error");
        body.putObject("error").put("type", type).put("message", message);
        body.put("request_id", "req_011CSHoEeqs5C35K2UUqR7Fy");
        return write(body);
    }

    static Step errorEvent(String type, String message) {
        return Step.event("error", error(type, message));
    }

    /** SSE headers, {@code message_start}, the text block's start and a ping: what precedes the first token. */
    static List<Step> opening(int inputTokens) {
        return List.of(Step.sseHeaders(), messageStart(inputTokens), textBlockStart(0), ping());
    }

    /** The end of a text answer: block stop, {@code message_delta} and {@code message_stop}. */
    static List<Step> trailer(String stopReason, int outputTokens) {
        return List.of(blockStop(0), messageDelta(stopReason, outputTokens), messageStop());
    }

    /** A whole successful text answer, one delta event per text, ending {@code end_turn}. */
    static List<Step> answer(int inputTokens, String... deltas) {
        List<Step> steps = new ArrayList<>(opening(inputTokens));
        for (String delta : deltas) {
            steps.add(text(delta));
        }
        steps.addAll(trailer("end_turn", deltas.length));
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

    /** An answer of {@code count} numbered deltas, each written after {@code gap}; 1 input token. */
    static List<Step> trickle(int count, Duration gap) {
        List<Step> steps = new ArrayList<>(opening(1));
        for (String text : numbered(0, count)) {
            steps.add(Step.delay(gap));
            steps.add(text(text));
        }
        steps.addAll(trailer("end_turn", count));
        return steps;
    }

    /** The SSE text of {@code events}, which must all be writes, to write in one go or split at will. */
    static String wire(List<Step> events) {
        StringBuilder sse = new StringBuilder();
        for (Step event : events) {
            sse.append(new String(((Step.Write) event).bytes(), StandardCharsets.UTF_8));
        }
        return sse.toString();
    }

    /** The SSE text of one text delta event per text, on block 0. */
    static String textEvents(List<String> texts) {
        return wire(texts.stream().map(AnthropicEvents::text).toList());
    }

    /** {@code first} followed by {@code more}. */
    static List<Step> steps(List<Step> first, Step... more) {
        List<Step> all = new ArrayList<>(first);
        all.addAll(Arrays.asList(more));
        return all;
    }

    private static Step event(String name, ObjectNode data) {
        return Step.event(name, write(data));
    }

    private static String write(ObjectNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
