package dev.switchboard.bridge.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.bridge.upstream.UpstreamRequest;
import dev.switchboard.protocol.event.ContentPart;
import dev.switchboard.protocol.event.ConversationItem;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AnthropicPassThroughTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shared_sampling_parameters_pass_through_and_the_rest_is_left_out() throws Exception {
        Map<String, JsonNode> params = Map.of("temperature", JSON.valueToTree(0.3), "top_p", JSON.valueToTree(0.9),
                "stop", JSON.valueToTree(List.of("END", "STOP")), "seed", JSON.valueToTree(7),
                "response_format", JSON.readTree("{\"type\":\"json_object\"}"));
        UpstreamRequest request = new UpstreamRequest("claude", "", List.of(ConversationItem.message("i1", "user",
                "completed", List.of(ContentPart.text("input_text", "hi")))), Map.of(), OptionalInt.empty(),
                List.of(), Optional.empty(), params);
        JsonNode body = JSON.readTree(AnthropicRequestBody.write(JSON, request));
        assertEquals(0.3, body.get("temperature").asDouble());
        assertEquals(0.9, body.get("top_p").asDouble());
        assertEquals(JSON.valueToTree(List.of("END", "STOP")), body.get("stop_sequences"));
        assertFalse(body.has("seed"));
        assertFalse(body.has("response_format"));
        assertFalse(body.has("stop"));
    }
}
