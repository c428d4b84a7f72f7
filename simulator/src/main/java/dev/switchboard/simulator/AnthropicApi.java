package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Optional;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;

/**
 * Anthropic Messages: {@code x-api-key}, a required {@code anthropic-version} header,
 * {@link AnthropicRequestParser}, {@link AnthropicEventEncoder} and {@code message} replies. Immutable and
 * thread-safe.
 */
final class AnthropicApi implements ProviderApi {

    static final String PATH = "/v1/messages";
    static final String API_KEY_HEADER = "x-api-key";
    static final String VERSION_HEADER = "anthropic-version";

    private final ApiKey key;

    AnthropicApi(ApiKey key) {
        this.key = key;
    }

    @Override
    public String path() {
        return PATH;
    }

    @Override
    public Optional<ErrorReply> authenticate(Request request) {
        String header = request.getHeaders().get(API_KEY_HEADER);
        return key.accepts(header) ? Optional.empty() : Optional.of(AnthropicError.authentication(header != null));
    }

    @Override
    public Optional<ErrorReply> checkHeaders(Request request) {
        String version = request.getHeaders().get(VERSION_HEADER);
        return version == null || version.isBlank()
                ? Optional.of(AnthropicError.invalidRequest(VERSION_HEADER + ": header is required"))
                : Optional.empty();
    }

    @Override
    public ParseResult<ChatRequest> parse(byte[] body, Request request) {
        return AnthropicRequestParser.parse(body,
                Optional.ofNullable(request.getHeaders().get(MetadataHeader.NAME)));
    }

    @Override
    public String idPrefix() {
        return AnthropicEventEncoder.MESSAGE_ID_PREFIX;
    }

    @Override
    public StreamEncoder streamEncoder(GenerationPlan plan) {
        return new AnthropicEventEncoder(plan);
    }

    @Override
    public ObjectNode reply(GenerationPlan plan) {
        ObjectNode root = SimulatorJson.object();
        root.put("id", plan.completionId());
        root.put("type", "message");
        root.put("role", "assistant");
        root.put("model", plan.model());
        ObjectNode block = root.putArray("content").addObject();
        if (plan.toolCall().isPresent()) {
            ToolCall call = plan.toolCall().get();
            block.put("type", "tool_use");
            block.put("id", AnthropicEventEncoder.TOOL_USE_ID_PREFIX + call.idSuffix());
            block.put("name", call.name());
            block.set("input", toolInput(plan));
        } else {
            block.put("type", "text");
            block.put("text", plan.text());
        }
        root.put("stop_reason", plan.finish().anthropic());
        root.putNull("stop_sequence");
        ObjectNode usage = root.putObject("usage");
        usage.put("input_tokens", plan.promptTokens());
        usage.put("output_tokens", plan.completionTokens());
        return root;
    }

    /** The tool input as an object; arguments cut short by {@code max_tokens} are not JSON, so they become {}. */
    private static JsonNode toolInput(GenerationPlan plan) {
        try {
            JsonNode input = SimulatorJson.MAPPER.readTree(plan.text());
            return input != null && input.isObject() ? input : SimulatorJson.object();
        } catch (IOException e) {
            return SimulatorJson.object();
        }
    }

    @Override
    public ErrorReply error(ErrorReply error) {
        return error instanceof OpenAiError openAi ? AnthropicError.from(openAi) : error;
    }

    @Override
    public ErrorReply statusFault(FaultProfile.Status fault) {
        int status = fault.status();
        if (fault.code().isPresent()) {
            String type = AnthropicError.typeFor(status);
            return switch (fault.code().get()) {
                case CONTEXT_LENGTH_EXCEEDED ->
                        new AnthropicError(status, type, "prompt is too long: 200001 tokens > 200000 maximum");
                case CONTENT_POLICY_VIOLATION -> new AnthropicError(status, type,
                        "Your request was rejected because it was flagged by the content policy: violence.");
            };
        }
        String message = switch (status) {
            case HttpStatus.UNAUTHORIZED_401 -> "invalid x-api-key";
            case HttpStatus.FORBIDDEN_403 -> "Your API key does not have permission to use the specified resource.";
            case HttpStatus.NOT_FOUND_404 -> "model: not found";
            case HttpStatus.TOO_MANY_REQUESTS_429 -> "Number of requests has exceeded your rate limit.";
            case AnthropicError.OVERLOADED_529 -> "Overloaded";
            case HttpStatus.INTERNAL_SERVER_ERROR_500 -> "Internal server error";
            default -> "Simulated error (HTTP " + status + ").";
        };
        return new AnthropicError(status, AnthropicError.typeFor(status), message);
    }

    @Override
    public ErrorReply prefillRejected() {
        return AnthropicError.invalidRequest("This model does not support assistant message prefill. "
                + "The conversation must end with a user message.");
    }
}
