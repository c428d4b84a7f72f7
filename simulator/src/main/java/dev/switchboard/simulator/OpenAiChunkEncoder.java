package dev.switchboard.simulator;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Encodes one stream's OpenAI {@code chat.completion.chunk} events as server-sent-event bytes: the role chunk
 * before the first token, one chunk per token, then the finish chunk, the usage chunk when
 * {@code stream_options.include_usage} asked for it, and {@code data: [DONE]}.
 *
 * <p>Every chunk of a stream shares its envelope (id, created, model, fingerprint), so the envelope, the role
 * chunk and the trailer (finish chunk, optional usage chunk and {@code [DONE]}) are serialised once per stream;
 * per token the encoder only copies the token's pre-escaped JSON literal between a fixed prefix and suffix.
 * Immutable after construction.
 */
final class OpenAiChunkEncoder implements StreamEncoder {

    static final String SYSTEM_FINGERPRINT = "fp_sim";

    private final byte[] roleChunk;
    private final byte[] contentPrefix;
    private final byte[] contentSuffix;
    private final byte[] trailer;
    private final boolean stamp;

    OpenAiChunkEncoder(GenerationPlan plan) {
        String envelope = "data: {\"id\":" + quote(plan.completionId())
                + ",\"object\":\"chat.completion.chunk\",\"created\":" + plan.createdEpochSeconds()
                + ",\"model\":" + quote(plan.model())
                + ",\"system_fingerprint\":\"" + SYSTEM_FINGERPRINT + "\",\"choices\":[";
        String end = (plan.includeUsage() ? ",\"usage\":null" : "") + "}\n\n";
        String open = envelope + "{\"index\":0,\"delta\":";
        String close = ",\"logprobs\":null,\"finish_reason\":";
        this.roleChunk = bytes(open + "{\"role\":\"assistant\",\"content\":\"\"}" + close + "null}]" + end);
        this.contentPrefix = bytes(open + "{\"content\":");
        this.contentSuffix = bytes("}" + close + "null}]" + end);
        String finish = open + "{}" + close + "\"" + plan.finishReason() + "\"}]" + end;
        String usage = plan.includeUsage()
                ? envelope + "],\"usage\":{\"prompt_tokens\":" + plan.promptTokens() + ",\"completion_tokens\":"
                        + plan.completionTokens() + ",\"total_tokens\":" + plan.totalTokens() + "}}\n\n"
                : "";
        this.trailer = bytes(finish + usage + "data: [DONE]\n\n");
        this.stamp = plan.stamp();
    }

    @Override
    public ByteBuffer encode(boolean withRole, Token[] tokens, int count, boolean withTrailer) {
        // The stamp goes inside the JSON string, after its opening quote: "[[t=MICROS]]token text".
        byte[] stampBytes = stamp ? bytes("\"[[t=" + epochMicros() + "]]") : null;
        int size = withRole ? roleChunk.length : 0;
        for (int i = 0; i < count; i++) {
            size += contentPrefix.length + tokens[i].jsonUtf8().length + contentSuffix.length;
            size += stampBytes == null ? 0 : stampBytes.length - 1;
        }
        size += withTrailer ? trailer.length : 0;
        ByteBuffer buffer = ByteBuffer.allocate(size);
        if (withRole) {
            buffer.put(roleChunk);
        }
        for (int i = 0; i < count; i++) {
            byte[] json = tokens[i].jsonUtf8();
            if (stampBytes == null) {
                buffer.put(contentPrefix).put(json).put(contentSuffix);
            } else {
                buffer.put(contentPrefix).put(stampBytes).put(json, 1, json.length - 1).put(contentSuffix);
            }
        }
        if (withTrailer) {
            buffer.put(trailer);
        }
        return buffer.flip();
    }

    private static long epochMicros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    private static String quote(String value) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(value)) + "\"";
    }

    private static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
