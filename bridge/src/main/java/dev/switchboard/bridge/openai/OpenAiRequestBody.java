package dev.switchboard.bridge.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.bridge.upstream.UpstreamRequest;
import dev.switchboard.protocol.event.ConversationItem;

/**
 * Maps a Realtime-shaped {@link UpstreamRequest} to a chat-completions request body, then adds the request's
 * {@code upstreamParams} that do not collide with a field it set. Stateless.
 */
final class OpenAiRequestBody {
    private OpenAiRequestBody() {
    }

    static String write(ObjectMapper mapper, UpstreamRequest request) {
        ObjectNode body = mapper.createObjectNode();
        body.put("model", request.model());
        ArrayNode messages = body.putArray("messages");
        if (!request.instructions().isEmpty()) {
            messages.addObject().put("role", "system").put("content", request.instructions());
        }
        for (ConversationItem item : request.items()) {
            addItem(messages, item);
        }
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        request.maxOutputTokens().ifPresent(max -> body.put("max_completion_tokens", max));
        if (!request.metadata().isEmpty()) {
            ObjectNode metadata = body.putObject("metadata");
            request.metadata().forEach(metadata::put);
        }
        if (!request.tools().isEmpty()) {
            ArrayNode tools = body.putArray("tools");
            request.tools().forEach(tool -> tools.add(chatTool(mapper, tool)));
        }
        request.toolChoice().ifPresent(choice -> body.set("tool_choice", chatToolChoice(mapper, choice)));
        // Pass-through fields (temperature, seed, stop, ...) go in last and never replace a field set above.
        request.upstreamParams().forEach((key, value) -> {
            if (!body.has(key)) {
                body.set(key, value);
            }
        });
        try {
            return mapper.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
    }

    private static void addItem(ArrayNode messages, ConversationItem item) {
        switch (item.type()) {
            case "message" -> messages.addObject()
                    .put("role", item.role().orElse("user"))
                    .put("content", item.text());
            case "function_call" -> {
                ObjectNode message = messages.addObject().put("role", "assistant");
                message.putNull("content");
                ObjectNode call = message.putArray("tool_calls").addObject();
                call.put("id", item.callId().orElse(item.id().orElse("")));
                call.put("type", "function");
                call.putObject("function").put("name", item.name().orElse(""))
                        .put("arguments", item.arguments().orElse("{}"));
            }
            case "function_call_output" -> messages.addObject()
                    .put("role", "tool")
                    .put("tool_call_id", item.callId().orElse(""))
                    .put("content", item.output().orElse(""));
            default -> {
                // Item types without a chat-completions equivalent are not sent.
            }
        }
    }

    /** Realtime tools are flat ({@code {type, name, description, parameters}}); chat nests them in "function". */
    private static JsonNode chatTool(ObjectMapper mapper, JsonNode tool) {
        if (tool.has("function")) {
            return tool;
        }
        ObjectNode out = mapper.createObjectNode().put("type", "function");
        ObjectNode function = out.putObject("function");
        tool.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("type")) {
                function.set(e.getKey(), e.getValue());
            }
        });
        return out;
    }

    private static JsonNode chatToolChoice(ObjectMapper mapper, JsonNode choice) {
        if (choice.isObject() && choice.has("name") && !choice.has("function")) {
            ObjectNode out = mapper.createObjectNode().put("type", "function");
            out.putObject("function").put("name", choice.get("name").asText());
            return out;
        }
        return choice;
    }
}
