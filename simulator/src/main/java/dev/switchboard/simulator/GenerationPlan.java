package dev.switchboard.simulator;

import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Everything decided about one completion before its first token is produced. Immutable.
 *
 * <p>What is generated follows from the request's last turn:
 * <ul>
 *   <li>with {@code sim_tool_call} set and a last message that is not a tool result, one tool call whose
 *       arguments are streamed as fragments ({@link ToolCall});</li>
 *   <li>for an assistant prefill, the text the conversation <em>without</em> the prefill would have produced,
 *       resumed after the shortest run of its tokens that spells the prefill exactly. A broker that fails over
 *       mid-answer and sends the partial answer as a prefill so gets exactly the text an uninterrupted run would
 *       have. A prefill that is not such a prefix gets fresh text seeded by the whole conversation;</li>
 *   <li>otherwise, text seeded by the whole conversation.</li>
 * </ul>
 *
 * @param completionId        the provider's response id, e.g. {@code chatcmpl-...} or {@code msg_...}
 * @param createdEpochSeconds the {@code created} field
 * @param model               the requested model, echoed back
 * @param seed                text seed, see {@link TextGenerator#seedOf}
 * @param skipTokens          leading tokens of the seed's sequence already present as a prefill
 * @param completionTokens    tokens (or tool-call fragments) to generate, after any {@code max_tokens} cap
 * @param finish              why generation stops
 * @param promptTokens        estimated prompt size: total message characters / 4, at least 1
 * @param ttftNanos           delay from request arrival to the first token
 * @param tokenIntervalNanos  delay between consecutive tokens, at least 1
 * @param includeUsage        whether a streamed OpenAI response ends with a usage chunk
 * @param stamp               whether text deltas carry an emit-time stamp ({@code sim_stamp})
 * @param toolCall            the tool call to answer with instead of text, if any
 * @param faults              changes to the streamed body from a faulty path; {@link StreamFaults#NONE} otherwise
 */
record GenerationPlan(
        String completionId,
        long createdEpochSeconds,
        String model,
        long seed,
        int skipTokens,
        int completionTokens,
        Finish finish,
        int promptTokens,
        long ttftNanos,
        long tokenIntervalNanos,
        boolean includeUsage,
        boolean stamp,
        Optional<ToolCall> toolCall,
        StreamFaults faults) {

    GenerationPlan {
        Objects.requireNonNull(completionId, "completionId");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(finish, "finish");
        Objects.requireNonNull(toolCall, "toolCall");
        Objects.requireNonNull(faults, "faults");
        if (skipTokens < 0 || completionTokens < 0 || promptTokens < 1 || ttftNanos < 0 || tokenIntervalNanos < 1) {
            throw new IllegalArgumentException("invalid plan: " + skipTokens + " skipped, " + completionTokens
                    + " tokens, " + promptTokens + " prompt tokens, ttft " + ttftNanos + " ns, interval "
                    + tokenIntervalNanos + " ns");
        }
    }

    /** Why a completion stops, in each API's words. */
    enum Finish {
        STOP("stop", "end_turn"),
        LENGTH("length", "max_tokens"),
        TOOL_CALLS("tool_calls", "tool_use");

        private final String openAi;
        private final String anthropic;

        Finish(String openAi, String anthropic) {
            this.openAi = openAi;
            this.anthropic = anthropic;
        }

        /** OpenAI's {@code finish_reason}. */
        String openAi() {
            return openAi;
        }

        /** Anthropic's {@code stop_reason}. */
        String anthropic() {
            return anthropic;
        }
    }

    /**
     * Plans {@code request}. The id is {@code idPrefix} + seed + {@code sequence}, which makes it unique within one
     * simulator while staying reproducible for a replayed sequence of requests. {@code faults} may replace the
     * TTFT, and its stream faults apply to streamed requests only.
     */
    static GenerationPlan of(ChatRequest request, String idPrefix, long sequence, long createdEpochSeconds,
            FaultProfile faults) {
        SimKnobs knobs = request.knobs();
        Content content = Content.of(request);
        int cap = request.maxTokens().orElse(Integer.MAX_VALUE);
        int tokens = Math.min(content.tokens(), cap);
        Finish finish = content.tokens() > cap ? Finish.LENGTH
                : content.toolCall().isPresent() ? Finish.TOOL_CALLS : Finish.STOP;
        long intervalNanos = Math.max(1L, Math.round(1_000_000_000d / knobs.tokensPerSecond()));
        long ttftMs = faults.ttftMs().orElse(knobs.ttftMs());
        String id = String.format("%s%016x%08x", idPrefix, content.seed(), sequence & 0xffff_ffffL);
        return new GenerationPlan(id, createdEpochSeconds, request.model(), content.seed(), content.skip(), tokens,
                finish, promptTokens(request), ttftMs * 1_000_000L, intervalNanos, request.includeUsage(),
                knobs.stamp(), content.toolCall(), request.stream() ? faults.stream() : StreamFaults.NONE);
    }

    int totalTokens() {
        return promptTokens + completionTokens;
    }

    /** A new source of this completion's tokens: text after the prefill, or the tool call's fragments. */
    TokenSource tokens() {
        if (toolCall.isPresent()) {
            Iterator<Token> fragments = toolCall.get().fragments().iterator();
            return fragments::next;
        }
        TextGenerator.Tokens text = TextGenerator.tokens(seed);
        for (int i = 0; i < skipTokens; i++) {
            text.next();
        }
        return text;
    }

    /** The completion's text (the tool call's arguments for a tool call), all at once. */
    String text() {
        TokenSource source = tokens();
        StringBuilder text = new StringBuilder(completionTokens * 6);
        for (int i = 0; i < completionTokens; i++) {
            text.append(source.next().text());
        }
        return text.toString();
    }

    /** Token events a stream sends: all of them, or fewer when a fault ends the stream early. */
    int streamedTokens() {
        return faults.ending().endsEarly() ? Math.min(faults.endAfter(), completionTokens) : completionTokens;
    }

    private static int promptTokens(ChatRequest request) {
        long chars = 0;
        for (ChatRequest.Message message : request.messages()) {
            chars += message.text().length();
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, chars / 4));
    }

    /**
     * What a request generates before any cap: the text seed, tokens to skip, tokens wanted, or a tool call.
     */
    private record Content(long seed, int skip, int tokens, Optional<ToolCall> toolCall) {

        static Content of(ChatRequest request) {
            long seed = TextGenerator.seedOf(request);
            Optional<String> function = request.knobs().toolCall();
            if (function.isPresent() && request.lastTurn() != ChatRequest.LastTurn.TOOL_RESULT) {
                ToolCall call = ToolCall.of(function.get(), seed);
                return new Content(seed, 0, call.fragments().size(), Optional.of(call));
            }
            Optional<String> prefill = request.prefill();
            if (prefill.isPresent()) {
                List<ChatRequest.Message> before = request.messages().subList(0, request.messages().size() - 1);
                long originalSeed = TextGenerator.seedOf(before, request.metadata());
                int total = wanted(request, originalSeed);
                OptionalInt spelled = TextGenerator.tokensSpelling(originalSeed, prefill.get(), total);
                if (spelled.isPresent()) {
                    int skip = spelled.getAsInt();
                    return new Content(originalSeed, skip, total - skip, Optional.empty());
                }
            }
            return new Content(seed, 0, wanted(request, seed), Optional.empty());
        }

        /** {@code sim_tokens}, or the seed's default length. */
        private static int wanted(ChatRequest request, long seed) {
            return request.knobs().tokens().orElseGet(() -> TextGenerator.defaultTokenCount(seed));
        }
    }
}
