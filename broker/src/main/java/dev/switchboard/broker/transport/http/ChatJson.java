package dev.switchboard.broker.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.protocol.codec.JsonText;
import java.util.List;
import java.util.Optional;

/**
 * The chat-completions wire objects: {@code chat.completion.chunk}, the usage chunk, {@code chat.completion},
 * and what they are derived from in a Realtime {@code response.done}. Immutable: it holds only the identity of
 * one completion. Safe from any thread.
 */
final class ChatJson {
    private final ObjectMapper json;
    private final String id;
    private final long created;
    private final String model;

    /** The text of a content chunk up to its content (built on first use; one thread uses a builder). */
    private String textChunkHead;

    /**
     * @param json the mapper that builds the trees
     * @param id {@code chatcmpl-<response id>}
     * @param created epoch seconds
     * @param model the model reported in {@code model}: the client's alias until the answering model is known
     */
    ChatJson(ObjectMapper json, String id, long created, String model) {
        this.json = json;
        this.id = id;
        this.created = created;
        this.model = model;
    }

    /** The same builder reporting {@code answeringModel} (the upstream model that answers, as OpenAI reports it). */
    ChatJson withModel(String answeringModel) {
        return answeringModel.isEmpty() || answeringModel.equals(model) ? this
                : new ChatJson(json, id, created, answeringModel);
    }

    /** A function call assembled from the stream, for {@code message.tool_calls}. */
    record ToolCall(String id, String name, String arguments) {
    }

    /** A chunk whose only choice carries {@code delta}; {@code finishReason} empty means {@code null}. */
    ObjectNode chunk(ObjectNode delta, Optional<String> finishReason, boolean usageField) {
        ObjectNode chunk = header("chat.completion.chunk");
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("delta", delta);
        choice.putNull("logprobs");
        finishReason.ifPresentOrElse(reason -> choice.put("finish_reason", reason), () -> choice.putNull(
                "finish_reason"));
        if (usageField) {
            // With stream_options.include_usage every chunk carries "usage": null except the last, as OpenAI does.
            chunk.putNull("usage");
        }
        return chunk;
    }

    /**
     * Appends the chunk of one content delta after the first, as {@link #chunk} writes it (the text is the same; a
     * test compares them), written from a template: one per streamed token, so it skips the tree (issue 12). It is
     * appended to the caller's builder so that the SSE event around it costs no further copy.
     */
    StringBuilder appendTextChunk(StringBuilder out, String content, boolean usageField) {
        String head = textChunkHead;
        if (head == null) {
            StringBuilder sb = new StringBuilder(160).append("{\"id\":");
            JsonText.appendQuoted(sb, id).append(",\"object\":\"chat.completion.chunk\",\"created\":").append(created)
                    .append(",\"model\":");
            JsonText.appendQuoted(sb, model).append(",\"choices\":[{\"index\":0,\"delta\":{\"content\":");
            head = sb.toString();
            textChunkHead = head;
        }
        out.append(head);
        JsonText.appendQuoted(out, content).append("},\"logprobs\":null,\"finish_reason\":null}]");
        return (usageField ? out.append(",\"usage\":null") : out).append('}');
    }

    /** The trailing usage chunk: no choices. */
    ObjectNode usageChunk(JsonNode realtimeUsage) {
        ObjectNode chunk = header("chat.completion.chunk");
        chunk.putArray("choices");
        chunk.set("usage", usage(realtimeUsage));
        return chunk;
    }

    /** A whole {@code chat.completion}. */
    ObjectNode completion(String text, boolean hasText, List<ToolCall> calls, String finishReason,
                          JsonNode realtimeUsage) {
        ObjectNode completion = header("chat.completion");
        ObjectNode choice = completion.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        if (hasText || calls.isEmpty()) {
            message.put("content", text);
        } else {
            message.putNull("content");
        }
        if (!calls.isEmpty()) {
            ArrayNode toolCalls = message.putArray("tool_calls");
            for (ToolCall call : calls) {
                ObjectNode entry = toolCalls.addObject().put("id", call.id()).put("type", "function");
                entry.putObject("function").put("name", call.name()).put("arguments", call.arguments());
            }
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        completion.set("usage", usage(realtimeUsage));
        return completion;
    }

    /** The first tool-call delta of a call: id, type and name, empty arguments. */
    ObjectNode toolCallStart(int index, String callId, String name) {
        ObjectNode delta = json.createObjectNode();
        ObjectNode call = delta.putArray("tool_calls").addObject();
        call.put("index", index).put("id", callId).put("type", "function");
        call.putObject("function").put("name", name).put("arguments", "");
        return delta;
    }

    /** A later tool-call delta: a fragment of the arguments. */
    ObjectNode toolCallArguments(int index, String fragment) {
        ObjectNode delta = json.createObjectNode();
        delta.putArray("tool_calls").addObject().put("index", index).putObject("function")
                .put("arguments", fragment);
        return delta;
    }

    private ObjectNode header(String object) {
        ObjectNode node = json.createObjectNode();
        node.put("id", id);
        node.put("object", object);
        node.put("created", created);
        node.put("model", model);
        return node;
    }

    private ObjectNode usage(JsonNode realtime) {
        long prompt = realtime.path("input_tokens").asLong();
        long completion = realtime.path("output_tokens").asLong();
        long total = realtime.path("total_tokens").asLong(prompt + completion);
        return json.createObjectNode().put("prompt_tokens", prompt).put("completion_tokens", completion)
                .put("total_tokens", total);
    }

    /**
     * The {@code finish_reason} of a completed or incomplete Realtime response: {@code length} when the output
     * cap cut it, {@code content_filter}, {@code tool_calls} when it ended with function calls, else {@code stop}.
     */
    static String finishReason(JsonNode response, boolean toolCalls) {
        if ("incomplete".equals(response.path("status").asText())) {
            return "content_filter".equals(response.path("status_details").path("reason").asText())
                    ? "content_filter" : "length";
        }
        return toolCalls ? "tool_calls" : "stop";
    }

    /** Whether a {@code response.done} response is an answer (completed or incomplete) rather than a failure. */
    static boolean answered(JsonNode response) {
        String status = response.path("status").asText();
        // An answer a spent budget cut is not an answer: the client gets OpenAI's insufficient_quota instead.
        return status.equals("completed") || (status.equals("incomplete") && !budgetExhausted(response));
    }

    private static boolean budgetExhausted(JsonNode response) {
        return "budget_exhausted".equals(response.path("status_details").path("reason").asText());
    }

    /**
     * The error of a failed or cancelled Realtime response: its {@code status_details.error}, or for a
     * cancellation a {@code response_cancelled} error naming the reason.
     */
    static Failure failure(JsonNode response) {
        JsonNode details = response.path("status_details");
        JsonNode error = details.path("error");
        if (error.isObject()) {
            return new Failure(error.path("code").asText("upstream_unavailable"),
                    error.path("message").asText("the response failed"));
        }
        if (budgetExhausted(response)) {
            return new Failure("insufficient_quota", "You exceeded your current quota: a budget was spent while "
                    + "this answer streamed, so it was stopped.");
        }
        String reason = details.path("reason").asText("unknown");
        return new Failure("response_" + response.path("status").asText("failed"),
                "the response ended early (" + reason + ")");
    }

    /**
     * @param code e.g. {@code upstream_unavailable}
     * @param message a description safe to show the client
     */
    record Failure(String code, String message) {
    }
}
