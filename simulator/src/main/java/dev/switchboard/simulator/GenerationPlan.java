package dev.switchboard.simulator;

import java.util.Objects;

/**
 * Everything decided about one completion before its first token is produced. Immutable.
 *
 * @param completionId       {@code chatcmpl-} identifier reported in every chunk
 * @param createdEpochSeconds the {@code created} field
 * @param model              the requested model, echoed back
 * @param seed               text seed, see {@link TextGenerator#seedOf}
 * @param completionTokens   tokens to generate, after any {@code max_tokens} cap
 * @param finishReason       {@code stop}, or {@code length} when {@code max_tokens} cut the completion short
 * @param promptTokens       estimated prompt size: total message characters / 4, at least 1
 * @param ttftNanos          delay from request arrival to the first token
 * @param tokenIntervalNanos delay between consecutive tokens, at least 1
 * @param includeUsage       whether a streamed response ends with a usage chunk
 * @param stamp              whether content deltas carry an emit-time stamp ({@code sim_stamp})
 */
record GenerationPlan(
        String completionId,
        long createdEpochSeconds,
        String model,
        long seed,
        int completionTokens,
        String finishReason,
        int promptTokens,
        long ttftNanos,
        long tokenIntervalNanos,
        boolean includeUsage,
        boolean stamp) {

    static final String STOP = "stop";
    static final String LENGTH = "length";

    GenerationPlan {
        Objects.requireNonNull(completionId, "completionId");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(finishReason, "finishReason");
        if (completionTokens < 0 || promptTokens < 1 || ttftNanos < 0 || tokenIntervalNanos < 1) {
            throw new IllegalArgumentException("invalid plan: " + completionTokens + " tokens, " + promptTokens
                    + " prompt tokens, ttft " + ttftNanos + " ns, interval " + tokenIntervalNanos + " ns");
        }
    }

    /**
     * Plans {@code request}; {@code sequence} makes the id unique within one simulator while staying
     * reproducible for a replayed sequence of requests.
     */
    static GenerationPlan of(ChatRequest request, long sequence, long createdEpochSeconds) {
        long seed = TextGenerator.seedOf(request);
        SimKnobs knobs = request.knobs();
        int wanted = knobs.tokens().orElseGet(() -> TextGenerator.defaultTokenCount(seed));
        int cap = request.maxTokens().orElse(Integer.MAX_VALUE);
        int tokens = Math.min(wanted, cap);
        String finishReason = wanted > cap ? LENGTH : STOP;
        long intervalNanos = Math.max(1L, Math.round(1_000_000_000d / knobs.tokensPerSecond()));
        String id = String.format("chatcmpl-%016x%08x", seed, sequence & 0xffff_ffffL);
        return new GenerationPlan(id, createdEpochSeconds, request.model(), seed, tokens, finishReason,
                promptTokens(request), knobs.ttftMs() * 1_000_000L, intervalNanos, request.includeUsage(),
                knobs.stamp());
    }

    int totalTokens() {
        return promptTokens + completionTokens;
    }

    private static int promptTokens(ChatRequest request) {
        long chars = 0;
        for (ChatRequest.Message message : request.messages()) {
            chars += message.text().length();
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, chars / 4));
    }
}
