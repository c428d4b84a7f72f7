package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Validates an OpenAI chat-completions body into a {@link ChatRequest}. Fields the simulator does not use are
 * ignored (never rejected), matching how clients add new options over time. Stateless and thread-safe.
 */
final class ChatRequestParser {

    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");

    private ChatRequestParser() {
    }

    /**
     * Validates {@code body}; {@code metadataHeader} is the {@code x-switchboard-metadata} header, used when the
     * body's {@code metadata} has no {@code sim_*} knob.
     */
    static ParseResult<ChatRequest> parse(byte[] body, Optional<String> metadataHeader) {
        JsonNode root;
        try {
            root = SimulatorJson.MAPPER.readTree(body);
        } catch (IOException e) {
            return ParseResult.invalid(OpenAiError.invalidJson());
        }
        if (root == null || !root.isObject()) {
            return ParseResult.invalid(OpenAiError.invalidJson());
        }
        return parseObject(root, metadataHeader);
    }

    private static ParseResult<ChatRequest> parseObject(JsonNode root, Optional<String> metadataHeader) {
        JsonNode model = root.path("model");
        if (isAbsent(model)) {
            return ParseResult.invalid(OpenAiError.missingParameter("model"));
        }
        if (!model.isTextual()) {
            return ParseResult.invalid(OpenAiError.invalidType("model", "a string"));
        }
        ParseResult<List<ChatRequest.Message>> messages = parseMessages(root.path("messages"));
        if (messages instanceof ParseResult.Invalid<List<ChatRequest.Message>> invalid) {
            return ParseResult.invalid(invalid.error());
        }
        ParseResult<Boolean> stream = parseBoolean(root.path("stream"), "stream");
        ParseResult<Boolean> includeUsage =
                parseBoolean(root.path("stream_options").path("include_usage"), "stream_options.include_usage");
        ParseResult<OptionalInt> maxTokens = parseMaxTokens(root);
        ParseResult<Map<String, String>> metadata = parseMetadata(root.path("metadata"));
        for (ParseResult<?> part : List.of(stream, includeUsage, maxTokens, metadata)) {
            if (part instanceof ParseResult.Invalid<?> invalid) {
                return ParseResult.invalid(invalid.error());
            }
        }
        List<String> tools = toolNames(root.path("tools"));
        ParseResult<Steering> steering = steering(valueOf(metadata), metadataHeader, tools);
        if (steering instanceof ParseResult.Invalid<Steering> invalid) {
            return ParseResult.invalid(invalid.error());
        }
        JsonNode last = root.path("messages").get(root.path("messages").size() - 1);
        return ParseResult.valid(new ChatRequest(model.asText(), valueOf(messages), valueOf(stream),
                valueOf(includeUsage), valueOf(maxTokens), valueOf(steering).metadata(), valueOf(steering).knobs(),
                tools, lastTurnOf(last)));
    }

    /**
     * Knobs come from the body's {@code metadata}; only when it has none does the header count (and only then is
     * it parsed), see {@link Steering#merged}.
     */
    private static ParseResult<Steering> steering(Map<String, String> body, Optional<String> header,
            List<String> tools) {
        boolean bodyHasKnobs = body.keySet().stream().anyMatch(key -> key.startsWith(SimKnobs.PREFIX));
        if (header.isEmpty() || bodyHasKnobs) {
            return Steering.of(body, SimKnobs.BODY_METADATA, tools);
        }
        ParseResult<Map<String, String>> parsed = MetadataHeader.parse(header);
        if (parsed instanceof ParseResult.Invalid<Map<String, String>> invalid) {
            return ParseResult.invalid(invalid.error());
        }
        return Steering.merged(body, SimKnobs.BODY_METADATA, valueOf(parsed), tools);
    }

    /** Names of the offered functions; malformed tool entries are ignored, as other unused fields are. */
    private static List<String> toolNames(JsonNode tools) {
        List<String> names = new ArrayList<>();
        if (tools.isArray()) {
            for (JsonNode tool : tools) {
                JsonNode name = tool.path("function").path("name");
                if (name.isTextual()) {
                    names.add(name.asText());
                }
            }
        }
        return names;
    }

    /** A final tool message is a tool result; final assistant text without tool calls is a prefill. */
    private static ChatRequest.LastTurn lastTurnOf(JsonNode last) {
        String role = last.path("role").asText();
        if (role.equals("assistant")) {
            boolean callsTools = last.path("tool_calls").isArray() && !last.path("tool_calls").isEmpty();
            return isAbsent(last.path("content")) || callsTools
                    ? ChatRequest.LastTurn.PROMPT
                    : ChatRequest.LastTurn.PREFILL;
        }
        return ChatRequest.LastTurn.ofRole(role);
    }

    private static ParseResult<List<ChatRequest.Message>> parseMessages(JsonNode node) {
        if (isAbsent(node)) {
            return ParseResult.invalid(OpenAiError.missingParameter("messages"));
        }
        if (!node.isArray()) {
            return ParseResult.invalid(OpenAiError.invalidType("messages", "an array"));
        }
        if (node.isEmpty()) {
            return ParseResult.invalid(OpenAiError.invalidValue("messages", "expected at least one message"));
        }
        List<ChatRequest.Message> messages = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            ParseResult<ChatRequest.Message> message = parseMessage(node.get(i), "messages[" + i + "]");
            if (message instanceof ParseResult.Invalid<ChatRequest.Message> invalid) {
                return ParseResult.invalid(invalid.error());
            }
            messages.add(valueOf(message));
        }
        return ParseResult.valid(messages);
    }

    private static ParseResult<ChatRequest.Message> parseMessage(JsonNode node, String param) {
        if (!node.isObject()) {
            return ParseResult.invalid(OpenAiError.invalidType(param, "an object"));
        }
        JsonNode role = node.path("role");
        if (isAbsent(role)) {
            return ParseResult.invalid(OpenAiError.missingParameter(param + ".role"));
        }
        if (!role.isTextual() || !ROLES.contains(role.asText())) {
            return ParseResult.invalid(OpenAiError.invalidValue(param + ".role",
                    "expected one of system, developer, user, assistant, tool"));
        }
        JsonNode content = node.path("content");
        if (isAbsent(content)) {
            // An assistant turn that only carries tool_calls has null content.
            return "assistant".equals(role.asText())
                    ? ParseResult.valid(new ChatRequest.Message(role.asText(), ""))
                    : ParseResult.invalid(OpenAiError.missingParameter(param + ".content"));
        }
        if (content.isTextual()) {
            return ParseResult.valid(new ChatRequest.Message(role.asText(), content.asText()));
        }
        if (!content.isArray()) {
            return ParseResult.invalid(OpenAiError.invalidType(param + ".content", "a string or an array of parts"));
        }
        return mapText(role.asText(), parseParts(content, param + ".content"));
    }

    private static ParseResult<ChatRequest.Message> mapText(String role, ParseResult<String> text) {
        if (text instanceof ParseResult.Invalid<String> invalid) {
            return ParseResult.invalid(invalid.error());
        }
        return ParseResult.valid(new ChatRequest.Message(role, valueOf(text)));
    }

    /** Joins the text parts with newlines; non-text parts (images, audio) are accepted and ignored. */
    private static ParseResult<String> parseParts(JsonNode parts, String param) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < parts.size(); i++) {
            JsonNode part = parts.get(i);
            String partParam = param + "[" + i + "]";
            if (!part.isObject() || !part.path("type").isTextual()) {
                return ParseResult.invalid(OpenAiError.invalidType(partParam, "an object with a string 'type'"));
            }
            if ("text".equals(part.path("type").asText())) {
                if (!part.path("text").isTextual()) {
                    return ParseResult.invalid(OpenAiError.invalidType(partParam + ".text", "a string"));
                }
                if (text.length() > 0) {
                    text.append('\n');
                }
                text.append(part.path("text").asText());
            }
        }
        return ParseResult.valid(text.toString());
    }

    private static ParseResult<Boolean> parseBoolean(JsonNode node, String param) {
        if (isAbsent(node)) {
            return ParseResult.valid(Boolean.FALSE);
        }
        return node.isBoolean()
                ? ParseResult.valid(node.booleanValue())
                : ParseResult.invalid(OpenAiError.invalidType(param, "a boolean"));
    }

    private static ParseResult<OptionalInt> parseMaxTokens(JsonNode root) {
        OptionalInt smallest = OptionalInt.empty();
        for (String param : List.of("max_tokens", "max_completion_tokens")) {
            JsonNode node = root.path(param);
            if (isAbsent(node)) {
                continue;
            }
            if (!node.isIntegralNumber() || !node.canConvertToInt()) {
                return ParseResult.invalid(OpenAiError.invalidType(param, "an integer"));
            }
            if (node.intValue() < 1) {
                return ParseResult.invalid(OpenAiError.invalidValue(param, "expected a value >= 1"));
            }
            if (smallest.isEmpty() || node.intValue() < smallest.getAsInt()) {
                smallest = OptionalInt.of(node.intValue());
            }
        }
        return ParseResult.valid(smallest);
    }

    private static ParseResult<Map<String, String>> parseMetadata(JsonNode node) {
        if (isAbsent(node)) {
            return ParseResult.valid(Map.of());
        }
        if (!node.isObject()) {
            return ParseResult.invalid(OpenAiError.invalidType("metadata", "an object of string values"));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            if (!entry.getValue().isTextual()) {
                return ParseResult.invalid(OpenAiError.invalidType("metadata." + entry.getKey(), "a string"));
            }
            metadata.put(entry.getKey(), entry.getValue().asText());
        }
        return ParseResult.valid(metadata);
    }

    private static boolean isAbsent(JsonNode node) {
        return node.isMissingNode() || node.isNull();
    }

    private static <T> T valueOf(ParseResult<T> result) {
        return ((ParseResult.Valid<T>) result).value();
    }
}
