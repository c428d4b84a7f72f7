package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Builds Anthropic Messages request bodies for tests, mirroring {@link ChatBodies}' conversation. */
final class AnthropicBodies {

    private AnthropicBodies() {
    }

    /** System "You are terse." and one user message, like {@link ChatBodies#chat}. */
    static ObjectNode messages(String userText, boolean stream, int maxTokens) {
        ObjectNode body = SimulatorHttpClient.JSON.createObjectNode();
        body.put("model", "claude-sim");
        body.put("max_tokens", maxTokens);
        body.put("system", "You are terse.");
        body.put("stream", stream);
        body.putArray("messages").addObject().put("role", "user").put("content", userText);
        return body;
    }

    static ArrayNode messagesOf(ObjectNode body) {
        return (ArrayNode) body.path("messages");
    }
}
