package dev.switchboard.simulator;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.nio.ByteBuffer;

/**
 * Encodes one stream's OpenAI {@code chat.completion.chunk} events as server-sent-event bytes: the role chunk
 * before the first token, one chunk per token, then the finish chunk, the usage chunk when
 * {@code stream_options.include_usage} asked for it, and {@code data: [DONE]}.
 *
 * <p>For a tool call the role chunk also opens the call ({@code tool_calls[0]} with id, type, name and empty
 * arguments), each token chunk carries an {@code arguments} fragment, and the finish reason is
 * {@code tool_calls}. A faulty path's {@link StreamFaults} change the ending: no {@code [DONE]}, an in-band
 * {@code error} event, or nothing at all (cut or stall); and may add one malformed chunk.
 *
 * <p>Every chunk of a stream shares its envelope (id, created, model, fingerprint), so the envelope, the role
 * chunk and the trailer are serialised once per stream; per token the encoder only copies the token's
 * pre-escaped JSON literal between a fixed prefix and suffix (see {@link EventFrames}). One instance per stream.
 */
final class OpenAiChunkEncoder implements StreamEncoder {

    static final String SYSTEM_FINGERPRINT = "fp_sim";
    static final String TOOL_CALL_ID_PREFIX = "call_";
    /** The in-band error OpenAI sends when generation fails after the 200 was committed. */
    static final String INBAND_ERROR = "data: {\"error\":{\"message\":\"The server had an error while processing "
            + "your request.\",\"type\":\"server_error\"}}\n\n";
    /** A chunk cut off mid-JSON, as a broken proxy or a provider bug might send it. */
    static final String MALFORMED_CHUNK = "data: {\"choices\":[{\"delta\":\n\n";

    private final EventFrames frames;

    OpenAiChunkEncoder(GenerationPlan plan) {
        String envelope = "data: {\"id\":" + quote(plan.completionId())
                + ",\"object\":\"chat.completion.chunk\",\"created\":" + plan.createdEpochSeconds()
                + ",\"model\":" + quote(plan.model())
                + ",\"system_fingerprint\":\"" + SYSTEM_FINGERPRINT + "\",\"choices\":[";
        String end = (plan.includeUsage() ? ",\"usage\":null" : "") + "}\n\n";
        String open = envelope + "{\"index\":0,\"delta\":";
        String close = ",\"logprobs\":null,\"finish_reason\":";
        String role;
        String tokenPrefix;
        String tokenSuffix;
        if (plan.toolCall().isPresent()) {
            ToolCall call = plan.toolCall().get();
            role = "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":\""
                    + TOOL_CALL_ID_PREFIX + call.idSuffix() + "\",\"type\":\"function\",\"function\":{\"name\":"
                    + quote(call.name()) + ",\"arguments\":\"\"}}]}";
            tokenPrefix = open + "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":";
            tokenSuffix = "}}]}" + close + "null}]" + end;
        } else {
            role = "{\"role\":\"assistant\",\"content\":\"\"}";
            tokenPrefix = open + "{\"content\":";
            tokenSuffix = "}" + close + "null}]" + end;
        }
        String finish = open + "{}" + close + "\"" + plan.finish().openAi() + "\"}]" + end;
        String usage = plan.includeUsage()
                ? envelope + "],\"usage\":{\"prompt_tokens\":" + plan.promptTokens() + ",\"completion_tokens\":"
                        + plan.completionTokens() + ",\"total_tokens\":" + plan.totalTokens() + "}}\n\n"
                : "";
        String trailer = switch (plan.faults().ending()) {
            case COMPLETE -> finish + usage + "data: [DONE]\n\n";
            case NO_DONE -> finish + usage;
            case INBAND_ERROR -> INBAND_ERROR;
            case CUT, STALL -> "";
        };
        this.frames = new EventFrames(open + role + close + "null}]" + end, tokenPrefix, tokenSuffix, trailer,
                plan.stamp() && plan.toolCall().isEmpty(), plan.faults().malformedAt(), MALFORMED_CHUNK);
    }

    @Override
    public ByteBuffer encode(boolean withRole, Token[] tokens, int count, boolean withTrailer) {
        return frames.encode(withRole, tokens, count, withTrailer);
    }

    static String quote(String value) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(value)) + "\"";
    }
}
