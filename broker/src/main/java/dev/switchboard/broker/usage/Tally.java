package dev.switchboard.broker.usage;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;

/**
 * The counts of one ledger row, or of a sum of rows: an immutable snapshot.
 *
 * @param requests responses that ran and ended, whatever their status
 * @param inputTokens input tokens, cached and audio ones included
 * @param outputTokens output tokens, audio ones included
 * @param cachedTokens cached input tokens
 * @param audioInputTokens audio input tokens
 * @param audioOutputTokens audio output tokens
 * @param costNanoUsd cost in billionths of a US dollar
 * @param refusals requests refused before they ran
 */
record Tally(long requests, long inputTokens, long outputTokens, long cachedTokens, long audioInputTokens,
             long audioOutputTokens, long costNanoUsd, long refusals) {
    /** Nothing counted. */
    static final Tally ZERO = new Tally(0, 0, 0, 0, 0, 0, 0, 0);

    /** This and {@code other} added up. */
    Tally plus(Tally other) {
        return new Tally(requests + other.requests, inputTokens + other.inputTokens, outputTokens + other.outputTokens,
                cachedTokens + other.cachedTokens, audioInputTokens + other.audioInputTokens,
                audioOutputTokens + other.audioOutputTokens, costNanoUsd + other.costNanoUsd,
                refusals + other.refusals);
    }

    /** The cost in US dollars, exact to the nano-dollar. */
    BigDecimal costUsd() {
        return BigDecimal.valueOf(costNanoUsd, 9).stripTrailingZeros();
    }

    /** Writes the report's fields into {@code node} and returns it. */
    ObjectNode writeTo(ObjectNode node) {
        return node.put("requests", requests).put("input_tokens", inputTokens).put("output_tokens", outputTokens)
                .put("cached_tokens", cachedTokens).put("audio_input_tokens", audioInputTokens)
                .put("audio_output_tokens", audioOutputTokens).put("cost_usd", costUsd()).put("refusals", refusals);
    }
}
