package dev.switchboard.simulator;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The parts of an OpenAI chat-completions request that the simulator acts on; every other field is ignored.
 *
 * @param model        echoed back in every response object
 * @param messages     at least one message, in request order
 * @param stream       whether to answer with server-sent events
 * @param includeUsage {@code stream_options.include_usage}
 * @param maxTokens    the smaller of {@code max_tokens} and {@code max_completion_tokens}, when either is set
 * @param metadata     the request's {@code metadata}, including {@code sim_*} knobs
 * @param knobs        the parsed {@code sim_*} knobs
 */
record ChatRequest(
        String model,
        List<Message> messages,
        boolean stream,
        boolean includeUsage,
        OptionalInt maxTokens,
        Map<String, String> metadata,
        SimKnobs knobs) {

    ChatRequest {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(maxTokens, "maxTokens");
        Objects.requireNonNull(knobs, "knobs");
        messages = List.copyOf(messages);
        metadata = Map.copyOf(metadata);
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("messages must not be empty");
        }
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
}
