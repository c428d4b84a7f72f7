package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * Validates an Anthropic Messages body into a {@link ChatRequest}, reading {@code sim_*} knobs from the
 * {@code x-switchboard-metadata} header (the body's {@code metadata} only allows {@code user_id}, as at Anthropic).
 *
 * <p>The conversation is reduced to the same messages an equivalent OpenAI request has, so both endpoints seed
 * the same text: {@code system} (a string or text blocks joined with newlines) becomes a leading {@code system}
 * message, text blocks are joined with newlines, each {@code tool_result} block becomes a {@code tool} message
 * (before the user text it came with), and other blocks ({@code tool_use}, images) carry no text. Fields the
 * simulator does not use are ignored. Errors are {@link AnthropicError}s naming the field in Anthropic's style
 * ({@code messages.0.role: ...}). Stateless and thread-safe.
 */
final class AnthropicRequestParser {

    private AnthropicRequestParser() {
    }

    static ParseResult<ChatRequest> parse(byte[] body, Optional<String> metadataHeader) {
        JsonNode root;
        try {
            root = SimulatorJson.MAPPER.readTree(body);
        } catch (IOException e) {
            root = null;
        }
        if (root == null || !root.isObject()) {
            return ParseResult.invalid(AnthropicError.invalidRequest("The request body is not valid JSON."));
        }
        Reader reader = new Reader();
        String model = reader.string(root.path("model"), "model");
        int maxTokens = reader.maxTokens(root.path("max_tokens"));
        List<ChatRequest.Message> messages = new ArrayList<>();
        reader.system(root.path("system"), messages);
        reader.messages(root.path("messages"), messages);
        boolean stream = reader.bool(root.path("stream"), "stream");
        reader.metadata(root.path("metadata"));
        List<String> tools = reader.tools(root.path("tools"));
        if (reader.error != null) {
            return ParseResult.invalid(reader.error);
        }
        ParseResult<Steering> steering = steering(metadataHeader, tools);
        if (steering instanceof ParseResult.Invalid<Steering> invalid) {
            return ParseResult.invalid(invalid.error());
        }
        Steering steer = ((ParseResult.Valid<Steering>) steering).value();
        return ParseResult.valid(new ChatRequest(model, messages, stream, false, OptionalInt.of(maxTokens),
                steer.metadata(), steer.knobs(), tools, reader.lastTurn));
    }

    /** Knobs from the header; their errors are OpenAI-shaped and rendered by {@link AnthropicApi#error}. */
    private static ParseResult<Steering> steering(Optional<String> header, List<String> tools) {
        ParseResult<Map<String, String>> metadata = MetadataHeader.parse(header);
        if (metadata instanceof ParseResult.Invalid<Map<String, String>> invalid) {
            return ParseResult.invalid(invalid.error());
        }
        return Steering.of(((ParseResult.Valid<Map<String, String>>) metadata).value(), MetadataHeader.PARAM_PREFIX,
                tools);
    }

    /** Reads the body field by field, remembering the first problem so parsing reads straight through. */
    private static final class Reader {

        private @Nullable AnthropicError error;
        private ChatRequest.LastTurn lastTurn = ChatRequest.LastTurn.PROMPT;

        String string(JsonNode node, String field) {
            if (isAbsent(node)) {
                fail(field + ": Field required");
            } else if (!node.isTextual()) {
                fail(field + ": Input should be a valid string");
            }
            return node.asText("");
        }

        int maxTokens(JsonNode node) {
            if (isAbsent(node)) {
                fail("max_tokens: Field required");
            } else if (!node.isIntegralNumber() || !node.canConvertToInt()) {
                fail("max_tokens: Input should be a valid integer");
            } else if (node.intValue() < 1) {
                fail("max_tokens: Input should be greater than or equal to 1");
            }
            return Math.max(1, node.asInt(1));
        }

        boolean bool(JsonNode node, String field) {
            if (!isAbsent(node) && !node.isBoolean()) {
                fail(field + ": Input should be a valid boolean");
            }
            return node.asBoolean(false);
        }

        void system(JsonNode node, List<ChatRequest.Message> out) {
            if (isAbsent(node)) {
                return;
            }
            if (node.isTextual()) {
                out.add(new ChatRequest.Message("system", node.asText()));
            } else if (node.isArray()) {
                out.add(new ChatRequest.Message("system", texts(node, "system").text()));
            } else {
                fail("system: Input should be a valid string or a list of text blocks");
            }
        }

        void messages(JsonNode node, List<ChatRequest.Message> out) {
            if (isAbsent(node)) {
                fail("messages: Field required");
            } else if (!node.isArray()) {
                fail("messages: Input should be a valid list");
            } else if (node.isEmpty()) {
                fail("messages: at least one message is required");
            } else {
                for (int i = 0; i < node.size(); i++) {
                    message(node.get(i), "messages." + i, out);
                }
            }
        }

        private void message(JsonNode node, String field, List<ChatRequest.Message> out) {
            String role = node.path("role").asText("");
            if (!role.equals("user") && !role.equals("assistant")) {
                fail(field + ".role: Input should be 'user' or 'assistant'");
                return;
            }
            JsonNode content = node.path("content");
            if (content.isTextual()) {
                out.add(new ChatRequest.Message(role, content.asText()));
                lastTurn = role.equals("assistant") ? ChatRequest.LastTurn.PREFILL : ChatRequest.LastTurn.PROMPT;
                return;
            }
            if (!content.isArray()) {
                fail(field + ".content: Input should be a valid string or a list of content blocks");
                return;
            }
            Blocks blocks = texts(content, field + ".content");
            if (role.equals("assistant")) {
                out.add(new ChatRequest.Message(role, blocks.text()));
                lastTurn = blocks.toolUse() ? ChatRequest.LastTurn.PROMPT : ChatRequest.LastTurn.PREFILL;
                return;
            }
            blocks.toolResults().forEach(result -> out.add(new ChatRequest.Message("tool", result)));
            if (blocks.toolResults().isEmpty() || blocks.other()) {
                out.add(new ChatRequest.Message(role, blocks.text()));
            }
            lastTurn = blocks.toolResults().isEmpty() ? ChatRequest.LastTurn.PROMPT : ChatRequest.LastTurn.TOOL_RESULT;
        }

        /** The text of content blocks; {@code tool_result} contents are collected separately. */
        private Blocks texts(JsonNode blocks, String field) {
            StringBuilder text = new StringBuilder();
            List<String> toolResults = new ArrayList<>();
            boolean toolUse = false;
            boolean other = false;
            for (int i = 0; i < blocks.size(); i++) {
                JsonNode block = blocks.get(i);
                String type = block.path("type").asText("");
                String blockField = field + "." + i;
                if (type.isEmpty()) {
                    fail(blockField + ".type: Field required");
                } else if (type.equals("tool_result")) {
                    toolResults.add(toolResult(block.path("content"), blockField + ".content"));
                    continue;
                } else if (type.equals("text")) {
                    String part = string(block.path("text"), blockField + ".text");
                    text.append(text.length() > 0 ? "\n" : "").append(part);
                }
                toolUse |= type.equals("tool_use");
                other = true;
            }
            return new Blocks(text.toString(), toolResults, toolUse, other);
        }

        private String toolResult(JsonNode content, String field) {
            if (isAbsent(content)) {
                return "";
            }
            if (content.isTextual()) {
                return content.asText();
            }
            if (!content.isArray()) {
                fail(field + ": Input should be a valid string or a list of content blocks");
                return "";
            }
            return texts(content, field).text();
        }

        void metadata(JsonNode node) {
            if (isAbsent(node)) {
                return;
            }
            if (!node.isObject()) {
                fail("metadata: Input should be a valid dictionary");
                return;
            }
            for (Map.Entry<String, JsonNode> entry : node.properties()) {
                if (!entry.getKey().equals("user_id")) {
                    fail("metadata." + entry.getKey() + ": Extra inputs are not permitted");
                } else if (!isAbsent(entry.getValue()) && !entry.getValue().isTextual()) {
                    fail("metadata.user_id: Input should be a valid string");
                }
            }
        }

        List<String> tools(JsonNode node) {
            List<String> names = new ArrayList<>();
            if (isAbsent(node)) {
                return names;
            }
            if (!node.isArray()) {
                fail("tools: Input should be a valid list");
                return names;
            }
            for (int i = 0; i < node.size(); i++) {
                names.add(string(node.get(i).path("name"), "tools." + i + ".name"));
            }
            return names;
        }

        private void fail(String message) {
            if (error == null) {
                error = AnthropicError.invalidRequest(message);
            }
        }

        private static boolean isAbsent(JsonNode node) {
            return node.isMissingNode() || node.isNull();
        }
    }

    /**
     * @param text        text blocks joined with newlines
     * @param toolResults the text of each {@code tool_result} block
     * @param toolUse     whether a {@code tool_use} block was present
     * @param other       whether any block other than {@code tool_result} was present
     */
    private record Blocks(String text, List<String> toolResults, boolean toolUse, boolean other) {
    }
}
