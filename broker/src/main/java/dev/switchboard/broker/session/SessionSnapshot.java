package dev.switchboard.broker.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.bridge.upstream.UpstreamRequest;
import dev.switchboard.protocol.event.ConversationItem;
import dev.switchboard.protocol.event.SessionConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a session needs to go on elsewhere (issue 17), as JSON: its configuration, its conversation, and the response
 * in progress with the request that started it. Written by the owner at each change of state (never per delta: the
 * partial answer is rebuilt from the mirrored frames, see {@link Takeover}); read by the node that takes the session
 * over. Shape: {@code {"v":1,"config":{…},"conversation":[…],"active":{"response_id","joins","modalities",
 * "request":{"instructions","items","metadata","max_output_tokens","tools","tool_choice","upstream_params"}}}}.
 *
 * @param config the session configuration ({@code session.updated})
 * @param conversation the conversation, oldest first
 * @param active the response in progress, if any
 */
record SessionSnapshot(SessionConfig config, List<ConversationItem> conversation, Optional<Active> active) {
    private static final int VERSION = 1;

    SessionSnapshot {
        conversation = List.copyOf(conversation);
    }

    /**
     * The response in progress when the snapshot was taken.
     *
     * @param responseId its id
     * @param joinsConversation whether its output joins the conversation ({@code conversation: none} does not)
     * @param modalities its output modalities
     * @param request the request as asked (before any attempt), with a hook's output cap applied
     */
    record Active(String responseId, boolean joinsConversation, List<String> modalities, UpstreamRequest request) {
        Active {
            modalities = List.copyOf(modalities);
        }
    }

    /** The snapshot as JSON. */
    String toJson(ObjectMapper mapper) {
        ObjectNode root = mapper.createObjectNode();
        root.put("v", VERSION);
        root.set("config", mapper.valueToTree(config));
        root.set("conversation", mapper.valueToTree(conversation));
        active.ifPresent(a -> {
            ObjectNode node = root.putObject("active");
            node.put("response_id", a.responseId());
            node.put("joins", a.joinsConversation());
            node.set("modalities", mapper.valueToTree(a.modalities()));
            UpstreamRequest r = a.request();
            ObjectNode request = node.putObject("request");
            request.put("model", r.model());
            request.put("instructions", r.instructions());
            request.set("items", mapper.valueToTree(r.items()));
            request.set("metadata", mapper.valueToTree(r.metadata()));
            if (r.maxOutputTokens().isPresent()) {
                request.put("max_output_tokens", r.maxOutputTokens().getAsInt());
            }
            ArrayNode tools = request.putArray("tools");
            r.tools().forEach(tools::add);
            r.toolChoice().ifPresent(choice -> request.set("tool_choice", choice));
            ObjectNode params = request.putObject("upstream_params");
            r.upstreamParams().forEach(params::set);
        });
        try {
            return mapper.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a session snapshot could not be written", e);
        }
    }

    /**
     * Reads a snapshot written by {@link #toJson}.
     *
     * @throws IllegalArgumentException when the text is not such a snapshot (another version, a damaged value)
     */
    static SessionSnapshot parse(ObjectMapper mapper, String json) {
        try {
            JsonNode root = mapper.readTree(json);
            if (root == null || root.path("v").asInt() != VERSION) {
                throw new IllegalArgumentException("not a version " + VERSION + " session snapshot");
            }
            SessionConfig config = mapper.treeToValue(root.path("config"), SessionConfig.class);
            List<ConversationItem> conversation = items(mapper, root.path("conversation"));
            JsonNode a = root.path("active");
            Optional<Active> active = Optional.empty();
            if (a.isObject()) {
                JsonNode r = a.path("request");
                List<String> modalities = new ArrayList<>();
                a.path("modalities").forEach(m -> modalities.add(m.asText()));
                Map<String, String> metadata = new LinkedHashMap<>();
                r.path("metadata").fields().forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().asText()));
                List<JsonNode> tools = new ArrayList<>();
                r.path("tools").forEach(tools::add);
                Map<String, JsonNode> params = new LinkedHashMap<>();
                r.path("upstream_params").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue()));
                UpstreamRequest request = new UpstreamRequest(r.path("model").asText(), r.path("instructions")
                        .asText(), items(mapper, r.path("items")), metadata, r.has("max_output_tokens")
                        ? OptionalInt.of(r.path("max_output_tokens").asInt()) : OptionalInt.empty(), tools,
                        Optional.ofNullable(r.get("tool_choice")), params);
                active = Optional.of(new Active(a.path("response_id").asText(), a.path("joins").asBoolean(true),
                        modalities, request));
            }
            return new SessionSnapshot(config, conversation, active);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalArgumentException("the session snapshot cannot be read: " + e.getMessage(), e);
        }
    }

    private static List<ConversationItem> items(ObjectMapper mapper, JsonNode array) throws JsonProcessingException {
        List<ConversationItem> items = new ArrayList<>();
        for (JsonNode item : array) {
            items.add(mapper.treeToValue(item, ConversationItem.class));
        }
        return items;
    }
}
