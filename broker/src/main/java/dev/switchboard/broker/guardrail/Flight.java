package dev.switchboard.broker.guardrail;

import dev.switchboard.broker.config.Guardrails;
import org.jspecify.annotations.Nullable;

/**
 * What the guardrails hold for one response in flight: its scopes, what was charged at admission and what its
 * deltas have been metered at, so the end can reconcile with the provider's usage. Touched only on the session's
 * shard thread (a session has one response in flight at a time), so plain fields.
 */
final class Flight {
    /** PCM16 mono 24 kHz: 48,000 bytes a second; 50 audio tokens a second (OpenAI's published rate): 960 bytes. */
    static final int AUDIO_BYTES_PER_TOKEN = 960;

    final TenantRules rules;
    final TenantRules.@Nullable Scope key;
    final Guardrails.Price price;
    final long chargedInput;
    long meteredTokens;
    long meteredCostNanoUsd;
    long audioBytesPending;

    Flight(TenantRules rules, TenantRules.@Nullable Scope key, Guardrails.Price price, long chargedInput) {
        this.rules = rules;
        this.key = key;
        this.price = price;
        this.chargedInput = chargedInput;
    }

    /** Whole audio tokens in {@code bytes} more audio; the remainder waits for the next delta. */
    long audioTokens(int bytes) {
        audioBytesPending += bytes;
        long tokens = audioBytesPending / AUDIO_BYTES_PER_TOKEN;
        audioBytesPending -= tokens * AUDIO_BYTES_PER_TOKEN;
        return tokens;
    }
}
