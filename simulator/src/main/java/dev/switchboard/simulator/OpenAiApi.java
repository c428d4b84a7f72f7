package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;

/**
 * OpenAI chat completions: {@code Authorization: Bearer KEY}, {@link ChatRequestParser}, {@link OpenAiChunkEncoder}
 * and {@code chat.completion} replies. Immutable and thread-safe.
 */
final class OpenAiApi implements ProviderApi {

    static final String PATH = "/v1/chat/completions";
    private static final String BEARER = "Bearer ";

    private final ApiKey key;

    OpenAiApi(ApiKey key) {
        this.key = key;
    }

    @Override
    public String path() {
        return PATH;
    }

    @Override
    public Optional<ErrorReply> authenticate(Request request) {
        if (!key.required()) {
            return Optional.empty();
        }
        String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        boolean accepted = header != null && header.startsWith(BEARER)
                && key.accepts(header.substring(BEARER.length()));
        Optional<String> presented = header != null && header.startsWith(BEARER)
                ? Optional.of(header.substring(BEARER.length())) : Optional.empty();
        return accepted ? Optional.empty() : Optional.of(OpenAiError.invalidApiKey(header != null, presented));
    }

    @Override
    public Optional<ErrorReply> checkHeaders(Request request) {
        return Optional.empty();
    }

    @Override
    public ParseResult<ChatRequest> parse(byte[] body, Request request) {
        return ChatRequestParser.parse(body, Optional.ofNullable(request.getHeaders().get(MetadataHeader.NAME)));
    }

    @Override
    public String idPrefix() {
        return "chatcmpl-";
    }

    @Override
    public StreamEncoder streamEncoder(GenerationPlan plan) {
        return new OpenAiChunkEncoder(plan);
    }

    @Override
    public ObjectNode reply(GenerationPlan plan) {
        ObjectNode root = SimulatorJson.object();
        root.put("id", plan.completionId());
        root.put("object", "chat.completion");
        root.put("created", plan.createdEpochSeconds());
        root.put("model", plan.model());
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        if (plan.toolCall().isPresent()) {
            ToolCall call = plan.toolCall().get();
            message.putNull("content");
            ObjectNode toolCall = message.putArray("tool_calls").addObject();
            toolCall.put("id", OpenAiChunkEncoder.TOOL_CALL_ID_PREFIX + call.idSuffix());
            toolCall.put("type", "function");
            toolCall.putObject("function").put("name", call.name()).put("arguments", plan.text());
        } else {
            message.put("content", plan.text());
        }
        message.putNull("refusal");
        message.putArray("annotations");
        choice.putNull("logprobs");
        choice.put("finish_reason", plan.finish().openAi());
        ObjectNode usage = root.putObject("usage");
        usage.put("prompt_tokens", plan.promptTokens());
        usage.put("completion_tokens", plan.completionTokens());
        usage.put("total_tokens", plan.totalTokens());
        root.put("system_fingerprint", OpenAiChunkEncoder.SYSTEM_FINGERPRINT);
        return root;
    }

    @Override
    public ErrorReply error(ErrorReply error) {
        return error;
    }

    @Override
    public ErrorReply statusFault(FaultProfile.Status fault) {
        int status = fault.status();
        if (fault.code().isPresent()) {
            return switch (fault.code().get()) {
                case CONTEXT_LENGTH_EXCEEDED -> new OpenAiError(status, "This model's maximum context length is "
                        + "128000 tokens. However, your messages resulted in 128001 tokens. Please reduce the length "
                        + "of the messages.", OpenAiError.INVALID_REQUEST, Optional.of("messages"),
                        Optional.of("context_length_exceeded"));
                case CONTENT_POLICY_VIOLATION -> new OpenAiError(status, "Your request was rejected because it was "
                        + "flagged by the content policy: violence.", OpenAiError.INVALID_REQUEST, Optional.empty(),
                        Optional.of("content_policy_violation"));
            };
        }
        return switch (status) {
            case HttpStatus.UNAUTHORIZED_401 -> OpenAiError.invalidApiKey(true);
            case HttpStatus.NOT_FOUND_404 -> new OpenAiError(status, "The model does not exist or you do not have "
                    + "access to it.", OpenAiError.INVALID_REQUEST, Optional.of("model"),
                    Optional.of("model_not_found"));
            case HttpStatus.TOO_MANY_REQUESTS_429 -> new OpenAiError(status, "Rate limit reached for requests. "
                    + "Please try again later.", "requests", Optional.empty(), Optional.of("rate_limit_exceeded"));
            case HttpStatus.SERVICE_UNAVAILABLE_503 -> new OpenAiError(status, "The server is overloaded or not "
                    + "ready yet.", "server_error", Optional.empty(), Optional.empty());
            default -> status >= 500
                    ? new OpenAiError(status, "The server had an error while processing your request. Sorry about "
                            + "that!", "server_error", Optional.empty(), Optional.empty())
                    : new OpenAiError(status, "Simulated client error (HTTP " + status + ").",
                            OpenAiError.INVALID_REQUEST, Optional.empty(), Optional.empty());
        };
    }

    @Override
    public ErrorReply prefillRejected() {
        return new OpenAiError(HttpStatus.BAD_REQUEST_400, "assistant prefill is not supported by this model",
                OpenAiError.INVALID_REQUEST, Optional.of("messages"), Optional.empty());
    }
}
