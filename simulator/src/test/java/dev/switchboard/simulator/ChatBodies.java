package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Map;

/** Builds OpenAI chat-completions request bodies for tests. */
final class ChatBodies {

    /** Knobs that make a stream finish at once: no first-token delay and effectively unpaced tokens. */
    static final Map<String, String> FAST = Map.of("sim_ttft_ms", "0", "sim_tokens_per_second", "100000");

    private ChatBodies() {
    }

    static ObjectNode chat(String userText, boolean stream, Map<String, String> metadata) {
        ObjectNode body = SimulatorHttpClient.JSON.createObjectNode();
        body.put("model", SimulatorModels.SIM_CHAT);
        body.putArray("messages")
                .add(message("system", "You are terse."))
                .add(message("user", userText));
        body.put("stream", stream);
        ObjectNode meta = body.putObject("metadata");
        metadata.forEach(meta::put);
        return body;
    }

    static String fastStream(String userText, Map<String, String> extraMetadata) {
        return chat(userText, true, merge(FAST, extraMetadata)).toString();
    }

    static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
        Map<String, String> merged = new HashMap<>(a);
        merged.putAll(b);
        return merged;
    }

    private static ObjectNode message(String role, String content) {
        ObjectNode message = SimulatorHttpClient.JSON.createObjectNode();
        message.put("role", role);
        message.put("content", content);
        return message;
    }
}
