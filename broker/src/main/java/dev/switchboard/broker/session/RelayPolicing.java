package dev.switchboard.broker.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.broker.metrics.BrokerMetrics;
import dev.switchboard.broker.notice.Notices;
import dev.switchboard.broker.policy.ContentPolicy;
import dev.switchboard.broker.policy.Match;
import dev.switchboard.broker.policy.OutputPolicer;
import java.io.IOException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A tenant's content policy on a relayed Realtime session, whose frames are otherwise forwarded as they come.
 *
 * <p>Output: text deltas, audio transcript deltas and function-call argument deltas are policed per content part
 * (one {@link OutputPolicer} per
 * item and content index) and relayed with only what may be seen; a part's {@code *.done} frame first releases the
 * held tail as one more delta, then carries the policed text; {@code response.content_part.done},
 * {@code response.output_item.done} and {@code response.done} repeat the text and are rewritten likewise, so no
 * frame carries what the policy removed. Audio itself cannot be redacted: a {@code block} makes the session cut the
 * response (its audio included). Input: the text of a client's {@code conversation.item.create} is policed before
 * it is forwarded. Shard thread only.
 */
final class RelayPolicing {
    private final ContentPolicy policy;
    private final ObjectMapper mapper;
    private final PolicyNotices notices;
    private final Map<String, Part> parts = new HashMap<>();
    private boolean blocked;

    /** One policed content part: its policer and the text released so far. */
    private record Part(OutputPolicer policer, StringBuilder text) {
    }

    /** A frame to relay. */
    record Frame(String type, String json) {
    }

    RelayPolicing(ContentPolicy policy, ObjectMapper mapper, ResponseHooks.SessionInfo session, Notices notices,
                  InstantSource clock, BrokerMetrics metrics) {
        this.policy = policy;
        this.mapper = mapper;
        this.notices = new PolicyNotices(policy, session, notices, clock, metrics);
    }

    /** Whether output frames of this type are policed (and may be rewritten or held). */
    static boolean polices(String type) {
        return switch (type) {
            case "response.output_text.delta", "response.output_audio_transcript.delta",
                 "response.function_call_arguments.delta", "response.output_text.done",
                 "response.output_audio_transcript.done", "response.function_call_arguments.done",
                 "response.content_part.done", "response.output_item.done", "response.done" -> true;
            default -> false;
        };
    }

    /** The frames to relay in place of the provider's frame {@code json} of {@code type}. */
    List<Frame> output(String type, String json, String responseId) {
        if (!policy.policesOutput() || (parts.isEmpty() && !type.endsWith(".delta"))) {
            return List.of(new Frame(type, json));  // no part was policed yet: nothing to rewrite, nothing to parse
        }
        JsonNode tree = RelaySession.treeOf(mapper, json);
        if (!(tree instanceof ObjectNode event)) {
            return List.of(new Frame(type, json));
        }
        return switch (type) {
            case "response.output_text.delta", "response.output_audio_transcript.delta",
                 "response.function_call_arguments.delta" -> delta(type, event, responseId);
            case "response.output_text.done" -> done(type, event, "text", "response.output_text.delta", responseId);
            case "response.output_audio_transcript.done" -> done(type, event, "transcript",
                    "response.output_audio_transcript.delta", responseId);
            case "response.function_call_arguments.done" -> done(type, event, "arguments",
                    "response.function_call_arguments.delta", responseId);
            default -> List.of(new Frame(type, rewrite(event, type)));
        };
    }

    /** Whether a {@code block} matched since the last call: the session cuts the response. */
    boolean takeBlock() {
        boolean was = blocked;
        blocked = false;
        return was;
    }

    /**
     * A client's {@code conversation.item.create} with its text policed: the frame to forward, or empty when a
     * {@code block} matched (the returned match names the rule for the error).
     */
    Input input(String json) {
        JsonNode tree = RelaySession.treeOf(mapper, json);
        if (!policy.policesInput() || !(tree.path("item").path("content") instanceof ArrayNode content)) {
            return new Input(json, null);
        }
        boolean changed = false;
        for (JsonNode part : content) {
            if (part instanceof ObjectNode object && object.path("text").isTextual()) {
                ContentPolicy.Inspection inspection = policy.inspectInput(object.path("text").asText());
                announce(inspection.matches(), "", "input");
                if (inspection.blocked().isPresent()) {
                    return new Input(null, inspection.blocked().get());
                }
                if (!inspection.matches().isEmpty()) {
                    object.put("text", inspection.text());
                    changed = true;
                }
            }
        }
        return new Input(changed ? tree.toString() : json, null);
    }

    /**
     * A policed client frame.
     *
     * @param json the frame to forward, or null when it was blocked
     * @param blockedBy the rule that blocked it, or null
     */
    record Input(String json, Match blockedBy) {
    }

    private List<Frame> delta(String type, ObjectNode event, String responseId) {
        Part part = parts.computeIfAbsent(key(event), k -> new Part(policy.newOutput(), new StringBuilder()));
        String released = part.policer.accept(event.path("delta").asText(""));
        announce(part.policer.takeMatches(), responseId, "output");
        if (part.policer.blocked()) {
            blocked = true;
        }
        if (released.isEmpty()) {
            return List.of();
        }
        part.text.append(released);
        event.put("delta", released);
        return List.of(new Frame(type, event.toString()));
    }

    private List<Frame> done(String type, ObjectNode event, String field, String deltaType, String responseId) {
        Part part = parts.get(key(event));
        if (part == null) {
            return List.of(new Frame(type, event.toString()));
        }
        List<Frame> frames = new ArrayList<>(2);
        if (!part.policer.blocked()) {
            String rest = part.policer.finish();
            announce(part.policer.takeMatches(), responseId, "output");
            if (!rest.isEmpty()) {
                part.text.append(rest);
                ObjectNode delta = event.deepCopy();
                delta.put("type", deltaType);
                delta.remove(field);
                delta.put("delta", rest);
                frames.add(new Frame(deltaType, delta.toString()));
            }
        }
        event.put(field, part.text.toString());
        frames.add(new Frame(type, event.toString()));
        return frames;
    }

    /** Replaces, in every content part of a policed item, the provider's text or transcript with the policed one. */
    private String rewrite(ObjectNode event, String type) {
        rewriteParts(event);
        if (type.equals("response.done")) {
            // The response is over: its parts' policers are done with.
            parts.clear();
        }
        return event.toString();
    }

    private void rewriteParts(JsonNode node) {
        if (node instanceof ObjectNode object) {
            String itemId = object.path("item_id").asText(object.path("id").asText(""));
            if (object.path("content") instanceof ArrayNode content) {
                for (int i = 0; i < content.size(); i++) {
                    replace(content.get(i), itemId, i);
                }
            }
            if (object.has("part")) {
                replace(object.get("part"), itemId, object.path("content_index").asInt(0));
            }
            if (object.path("arguments").isTextual()) {
                replace(object, itemId, 0);  // a function call item carries its arguments itself
            }
            object.elements().forEachRemaining(this::rewriteParts);
        } else if (node instanceof ArrayNode array) {
            array.forEach(this::rewriteParts);
        }
    }

    private void replace(JsonNode part, String itemId, int contentIndex) {
        Part policed = parts.get(itemId + "/" + contentIndex);
        if (policed == null || !(part instanceof ObjectNode object)) {
            return;
        }
        for (String field : List.of("text", "transcript", "arguments")) {
            if (object.path(field).isTextual()) {
                object.put(field, policed.text.toString());
            }
        }
    }

    private static String key(JsonNode event) {
        return event.path("item_id").asText("") + "/" + event.path("content_index").asInt(0);
    }

    private void announce(List<Match> matches, String responseId, String direction) {
        notices.announce(matches, responseId, direction);
    }
}
