package dev.switchboard.simulator;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The parts of a chat request that the simulator acts on, in a form shared by every provider API (OpenAI chat
 * completions and Anthropic messages); every other field is ignored. Two requests that carry the same
 * conversation through different APIs reduce to equal messages, so they generate the same text.
 *
 * @param model        echoed back in every response object
 * @param messages     at least one message, in request order; an Anthropic {@code system} prompt comes first as a
 *                     {@code system} message and each {@code tool_result} block becomes a {@code tool} message
 * @param stream       whether to answer with server-sent events
 * @param includeUsage {@code stream_options.include_usage} (OpenAI only)
 * @param maxTokens    the completion token cap, when the request sets one
 * @param metadata     the metadata generation depends on, including {@code sim_*} knobs: the body's
 *                     {@code metadata} (OpenAI) or the {@code x-switchboard-metadata} header
 * @param knobs        the parsed {@code sim_*} knobs
 * @param toolNames    names of the functions the request offers in {@code tools}
 * @param lastTurn     what the final message is, which decides between text, a tool call and a continuation
 */
record ChatRequest(
        String model,
        List<Message> messages,
        boolean stream,
        boolean includeUsage,
        OptionalInt maxTokens,
        Map<String, String> metadata,
        SimKnobs knobs,
        List<String> toolNames,
        LastTurn lastTurn) {

    ChatRequest {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(maxTokens, "maxTokens");
        Objects.requireNonNull(knobs, "knobs");
        Objects.requireNonNull(lastTurn, "lastTurn");
        messages = List.copyOf(messages);
        metadata = Map.copyOf(metadata);
        toolNames = List.copyOf(toolNames);
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("messages must not be empty");
        }
    }

    /** A request without tools whose last turn follows from the last message's role. */
    ChatRequest(String model, List<Message> messages, boolean stream, boolean includeUsage, OptionalInt maxTokens,
            Map<String, String> metadata, SimKnobs knobs) {
        this(model, messages, stream, includeUsage, maxTokens, metadata, knobs, List.of(),
                LastTurn.ofRole(messages.isEmpty() ? "user" : messages.get(messages.size() - 1).role()));
    }

    /** The text an assistant prefill asks the completion to continue from, when the last turn is a prefill. */
    Optional<String> prefill() {
        return lastTurn == LastTurn.PREFILL ? Optional.of(messages.get(messages.size() - 1).text()) : Optional.empty();
    }

    /**
     * One chat message reduced to what generation depends on.
     *
     * @param role one of system, developer, user, assistant, tool, function
     * @param text the string content, or the text parts joined with {@code "\n"}; empty when content is null
     */
    record Message(String role, String text) {
        Message {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(text, "text");
        }
    }

    /** What the conversation's final message is. */
    enum LastTurn {
        /** A user (or system) message: answer it. */
        PROMPT,
        /** Assistant text: a prefill to continue (see {@link GenerationPlan}). */
        PREFILL,
        /** A tool result: answer with text even when {@code sim_tool_call} is set. */
        TOOL_RESULT;

        static LastTurn ofRole(String role) {
            return switch (role) {
                case "assistant" -> PREFILL;
                case "tool", "function" -> TOOL_RESULT;
                default -> PROMPT;
            };
        }
    }
}
