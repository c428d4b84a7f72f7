package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One item of a Realtime conversation: a {@code message} (with a role and {@link ContentPart}s), a
 * {@code function_call} or a {@code function_call_output}. Items a response generates start
 * {@code in_progress} and grow; every other item is {@code completed} when added.
 *
 * <p>Not thread-safe: confined to the connection's {@link SerialExecutor}.
 */
final class RealtimeItem {

    static final String MESSAGE = "message";
    static final String FUNCTION_CALL = "function_call";
    static final String FUNCTION_CALL_OUTPUT = "function_call_output";
    static final String IN_PROGRESS = "in_progress";
    static final String COMPLETED = "completed";
    static final String INCOMPLETE = "incomplete";

    private final String id;
    private final String type;
    private final String role;
    private final List<ContentPart> content;
    private final String name;
    private final String callId;
    private final StringBuilder argumentsOrOutput = new StringBuilder();
    private String status;

    private RealtimeItem(String id, String type, String role, List<ContentPart> content, String name, String callId,
            String argumentsOrOutput, String status) {
        this.id = Objects.requireNonNull(id, "id");
        this.type = type;
        this.role = role;
        this.content = new ArrayList<>(content);
        this.name = name;
        this.callId = callId;
        this.argumentsOrOutput.append(argumentsOrOutput);
        this.status = status;
    }

    static RealtimeItem message(String id, String role, List<ContentPart> content, String status) {
        return new RealtimeItem(id, MESSAGE, role, content, "", "", "", status);
    }

    static RealtimeItem functionCall(String id, String name, String callId, String arguments, String status) {
        return new RealtimeItem(id, FUNCTION_CALL, "assistant", List.of(), name, callId, arguments, status);
    }

    static RealtimeItem functionCallOutput(String id, String callId, String output) {
        return new RealtimeItem(id, FUNCTION_CALL_OUTPUT, "tool", List.of(), "", callId, output, COMPLETED);
    }

    String id() {
        return id;
    }

    String type() {
        return type;
    }

    String role() {
        return role;
    }

    String status() {
        return status;
    }

    void setStatus(String status) {
        this.status = status;
    }

    List<ContentPart> content() {
        return content;
    }

    /** The content part at {@code index}, if there is one. */
    Optional<ContentPart> part(int index) {
        return index >= 0 && index < content.size() ? Optional.of(content.get(index)) : Optional.empty();
    }

    /** A function call's arguments so far. */
    String arguments() {
        return argumentsOrOutput.toString();
    }

    void appendArguments(String fragment) {
        argumentsOrOutput.append(fragment);
    }

    /**
     * The chat message this item stands for when seeding text, mapped as the broker's OpenAI adapter maps it: a
     * message by role with its parts' text joined, a function call as an assistant turn without content, a
     * function call output as a {@code tool} message.
     */
    ChatRequest.Message asChatMessage() {
        return switch (type) {
            case FUNCTION_CALL -> new ChatRequest.Message("assistant", "");
            case FUNCTION_CALL_OUTPUT -> new ChatRequest.Message("tool", argumentsOrOutput.toString());
            default -> {
                StringBuilder text = new StringBuilder();
                content.forEach(part -> text.append(part.seedText()));
                yield new ChatRequest.Message(role, text.toString());
            }
        };
    }

    /** The GA {@code realtime.item} object. */
    ObjectNode toJson() {
        ObjectNode item = SimulatorJson.object();
        item.put("id", id);
        item.put("type", type);
        item.put("object", "realtime.item");
        item.put("status", status);
        switch (type) {
            case FUNCTION_CALL -> {
                item.put("name", name);
                item.put("call_id", callId);
                item.put("arguments", argumentsOrOutput.toString());
            }
            case FUNCTION_CALL_OUTPUT -> {
                item.put("call_id", callId);
                item.put("output", argumentsOrOutput.toString());
            }
            default -> {
                item.put("role", role);
                ArrayNode parts = item.putArray("content");
                content.forEach(part -> parts.add(part.toJson()));
            }
        }
        return item;
    }
}
