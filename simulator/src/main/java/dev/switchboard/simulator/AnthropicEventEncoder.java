package dev.switchboard.simulator;

import java.nio.ByteBuffer;

/**
 * Encodes one stream as Anthropic Messages server-sent events. The preamble, sent with the first token, is
 * {@code message_start} (usage {@code output_tokens: 1}), {@code content_block_start} for block 0 and a
 * {@code ping}; each token is a {@code content_block_delta} ({@code text_delta}, or {@code input_json_delta} for
 * a tool call); the trailer is {@code content_block_stop}, {@code message_delta} (stop reason and
 * {@code output_tokens}) and {@code message_stop}.
 *
 * <p>Faults: {@code no_done} drops {@code message_stop}; an in-band error is an {@code error} event with an
 * {@code overloaded_error}, after which the body ends; cut and stall send no trailer. Built once per stream from
 * its plan (see {@link EventFrames}); one instance per stream.
 */
final class AnthropicEventEncoder implements StreamEncoder {

    static final String MESSAGE_ID_PREFIX = "msg_";
    static final String TOOL_USE_ID_PREFIX = "toolu_";
    static final String INBAND_ERROR = event("error",
            "{\"type\":\"error\",\"error\":{\"type\":\"" + AnthropicError.OVERLOADED
                    + "\",\"message\":\"Overloaded\"}}");
    /** A delta event cut off mid-JSON. */
    static final String MALFORMED_EVENT =
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":\n\n";

    private final EventFrames frames;

    AnthropicEventEncoder(GenerationPlan plan) {
        String messageStart = event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":"
                + OpenAiChunkEncoder.quote(plan.completionId()) + ",\"type\":\"message\",\"role\":\"assistant\","
                + "\"model\":" + OpenAiChunkEncoder.quote(plan.model()) + ",\"content\":[],\"stop_reason\":null,"
                + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":" + plan.promptTokens()
                + ",\"output_tokens\":1}}}");
        String block;
        String deltaType;
        if (plan.toolCall().isPresent()) {
            ToolCall call = plan.toolCall().get();
            block = "{\"type\":\"tool_use\",\"id\":\"" + TOOL_USE_ID_PREFIX + call.idSuffix() + "\",\"name\":"
                    + OpenAiChunkEncoder.quote(call.name()) + ",\"input\":{}}";
            deltaType = "{\"type\":\"input_json_delta\",\"partial_json\":";
        } else {
            block = "{\"type\":\"text\",\"text\":\"\"}";
            deltaType = "{\"type\":\"text_delta\",\"text\":";
        }
        String blockStart = event("content_block_start",
                "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":" + block + "}");
        String ping = event("ping", "{\"type\":\"ping\"}");
        String tokenPrefix = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                + "\"delta\":" + deltaType;
        String finish = event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
                + event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\""
                        + plan.finish().anthropic() + "\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":"
                        + plan.completionTokens() + "}}");
        String trailer = switch (plan.faults().ending()) {
            case COMPLETE -> finish + event("message_stop", "{\"type\":\"message_stop\"}");
            case NO_DONE -> finish;
            case INBAND_ERROR -> INBAND_ERROR;
            case CUT, STALL -> "";
        };
        this.frames = new EventFrames(messageStart + blockStart + ping, tokenPrefix, "}}\n\n", trailer,
                plan.stamp() && plan.toolCall().isEmpty(), plan.faults().malformedAt(), MALFORMED_EVENT);
    }

    @Override
    public ByteBuffer encode(boolean first, Token[] tokens, int count, boolean last) {
        return frames.encode(first, tokens, count, last);
    }

    private static String event(String name, String json) {
        return "event: " + name + "\ndata: " + json + "\n\n";
    }
}
