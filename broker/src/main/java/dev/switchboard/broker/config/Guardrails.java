package dev.switchboard.broker.config;

import static dev.switchboard.broker.config.BrokerConfig.or;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * The guardrail settings of the configuration (issue 13): a tenant's or a key's limits, budgets, prices, what to do
 * when the usage store cannot answer, and where usage is kept. Immutable records bound like the rest of
 * {@link BrokerConfig}; see {@code docs/guardrails.md}.
 */
public final class Guardrails {
    private Guardrails() {
    }

    /**
     * Limits of a tenant or of one key. Every one is optional: absent means unlimited.
     *
     * @param requestsPerMinute responses started per minute (WebSocket {@code response.create} and HTTP requests)
     * @param tokensPerMinute input plus output tokens per minute
     * @param concurrentSessions open WebSocket sessions, detached resumable ones included
     * @param concurrentResponses responses in flight, WebSocket and HTTP together
     * @param maxOutputTokens every request's output cap is clamped to this (never refused for it)
     * @param sessionMaxDuration a session is closed this long after it opened
     * @param sessionIdleTimeout a session is closed after this long without a client event
     */
    public record Limits(OptionalLong requestsPerMinute, OptionalLong tokensPerMinute,
                         OptionalLong concurrentSessions, OptionalLong concurrentResponses,
                         OptionalLong maxOutputTokens, Optional<Duration> sessionMaxDuration,
                         Optional<Duration> sessionIdleTimeout) {
        /** The largest value of any limit: a billion per minute (a rate's refill step stays above 60 ns). */
        public static final long MAX_LIMIT = 1_000_000_000L;

        /** No limit at all. */
        public static final Limits NONE = new Limits(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(),
                OptionalLong.empty(), OptionalLong.empty(), Optional.empty(), Optional.empty());

        /** Whether no limit is set. */
        public boolean isEmpty() {
            return equals(NONE);
        }

        @JsonCreator
        static Limits bind(@JsonProperty("requests_per_minute") @Nullable Long requestsPerMinute,
                           @JsonProperty("tokens_per_minute") @Nullable Long tokensPerMinute,
                           @JsonProperty("concurrent_sessions") @Nullable Long concurrentSessions,
                           @JsonProperty("concurrent_responses") @Nullable Long concurrentResponses,
                           @JsonProperty("max_output_tokens") @Nullable Long maxOutputTokens,
                           @JsonProperty("session_max_duration") @Nullable Duration sessionMaxDuration,
                           @JsonProperty("session_idle_timeout") @Nullable Duration sessionIdleTimeout) {
            return new Limits(positive(requestsPerMinute, "requests_per_minute"),
                    positive(tokensPerMinute, "tokens_per_minute"), positive(concurrentSessions, "concurrent_sessions"),
                    positive(concurrentResponses, "concurrent_responses"),
                    positive(maxOutputTokens, "max_output_tokens"), Optional.ofNullable(sessionMaxDuration),
                    Optional.ofNullable(sessionIdleTimeout));
        }

        private static OptionalLong positive(@Nullable Long value, String key) {
            if (value == null) {
                return OptionalLong.empty();
            }
            ConfigRule.require(value >= 1, key, "must be >= 1 (leave it out for no limit)");
            ConfigRule.require(value <= MAX_LIMIT, key, "must be <= " + MAX_LIMIT);
            return OptionalLong.of(value);
        }
    }

    /** A budget's calendar period, in UTC. */
    public enum Period implements ConfigValues.Word {
        DAY, MONTH
    }

    /**
     * A spending cap per calendar period: tokens (input plus output, every kind) or cost in US dollars (from
     * {@code prices}), exactly one of them.
     *
     * @param period day or month, UTC
     * @param tokens the most tokens in one period
     * @param costMicroUsd the most cost in one period, in millionths of a US dollar
     * @param alertAt fractions of the budget whose crossing is announced ({@code budget.threshold}), ascending
     */
    public record Budget(Period period, OptionalLong tokens, OptionalLong costMicroUsd, List<Double> alertAt) {
        public Budget {
            alertAt = List.copyOf(alertAt);
        }

        @JsonCreator
        static Budget bind(@JsonProperty("period") @Nullable Period period,
                           @JsonProperty("tokens") @Nullable Long tokens,
                           @JsonProperty("cost_usd") @Nullable Double costUsd,
                           @JsonProperty("alert_at") @Nullable List<Double> alertAt) {
            if (period == null) {
                throw ConfigRule.of("period", "is required (one of " + ConfigValues.words(Period.class) + ")");
            }
            ConfigRule.require((tokens == null) != (costUsd == null), "tokens",
                    "or cost_usd: exactly one of them must be set");
            ConfigRule.require(tokens == null || tokens >= 1, "tokens", "must be >= 1");
            ConfigRule.require(costUsd == null || (costUsd > 0 && costUsd < 1e9), "cost_usd",
                    "must be > 0 and < 1000000000");
            List<Double> alerts = alertAt == null ? List.of() : alertAt.stream().sorted().distinct().toList();
            ConfigRule.require(alerts.stream().allMatch(a -> a != null && a > 0 && a < 1), "alert_at",
                    "must be fractions of the budget between 0 and 1 (exclusive), e.g. [0.5, 0.8]");
            return new Budget(period, tokens == null ? OptionalLong.empty() : OptionalLong.of(tokens),
                    costUsd == null ? OptionalLong.empty() : OptionalLong.of(Math.round(costUsd * 1_000_000)),
                    alerts);
        }
    }

    /**
     * A model alias's prices in US dollars per million tokens.
     *
     * @param input text input tokens
     * @param output text output tokens
     * @param cachedInput cached input tokens (defaults to {@code input})
     * @param audioInput audio input tokens (defaults to {@code input})
     * @param audioOutput audio output tokens (defaults to {@code output})
     */
    public record Price(double input, double output, double cachedInput, double audioInput, double audioOutput) {
        /** Free: a model without prices costs nothing against a cost budget. */
        public static final Price FREE = new Price(0, 0, 0, 0, 0);

        @JsonCreator
        static Price bind(@JsonProperty("input") @Nullable Double input, @JsonProperty("output") @Nullable Double output,
                          @JsonProperty("cached_input") @Nullable Double cachedInput,
                          @JsonProperty("audio_input") @Nullable Double audioInput,
                          @JsonProperty("audio_output") @Nullable Double audioOutput) {
            double in = price(input, 0, "input");
            double out = price(output, 0, "output");
            return new Price(in, out, price(cachedInput, in, "cached_input"), price(audioInput, in, "audio_input"),
                    price(audioOutput, out, "audio_output"));
        }

        /**
         * What usage costs at these prices, in micro-USD (tokens × USD per million tokens): the one formula that
         * cost budgets, the audit log and the usage report share. Cached and audio input tokens are part of
         * {@code inputTokens} and audio output tokens part of {@code outputTokens}, as providers report them; the
         * rest is text, priced at {@code input} and {@code output}.
         */
        public double microUsd(long inputTokens, long cachedTokens, long audioInputTokens, long outputTokens,
                               long audioOutputTokens) {
            long textInput = Math.max(0, inputTokens - cachedTokens - audioInputTokens);
            long textOutput = Math.max(0, outputTokens - audioOutputTokens);
            return textInput * input + cachedTokens * cachedInput + audioInputTokens * audioInput
                    + textOutput * output + audioOutputTokens * audioOutput;
        }

        private static double price(@Nullable Double value, double fallback, String key) {
            double v = or(value, fallback);
            ConfigRule.require(v >= 0 && v < 1e6, key, "must be >= 0 and < 1000000 (USD per million tokens)");
            return v;
        }
    }

    /** What a guardrail does when its usage store cannot answer. */
    public enum FailureMode implements ConfigValues.Word {
        /** Refuse (503 / an {@code error} event) while the store fails. */
        CLOSED,
        /** Serve, and count {@code broker.guardrail.store.failures}. */
        OPEN
    }

    /**
     * One API key of a tenant: the key, its id (what logs, metrics and records show; derived from the key when not
     * given) and its own limits, applied in addition to the tenant's.
     *
     * @param key the secret key
     * @param id the non-secret id, if the file gives one
     * @param limits the key's own limits
     */
    public record Key(String key, Optional<String> id, Limits limits) {
        @Override
        public String toString() {
            return "Key[id=" + id.orElse("derived") + ", limits=" + limits + "]";
        }

        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        static Key plain(String key) {
            if (key.isBlank()) {
                throw ConfigRule.ofValue("must not be an empty key");
            }
            return new Key(key, Optional.empty(), Limits.NONE);
        }

        @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
        static Key bind(@JsonProperty("key") @Nullable String key, @JsonProperty("id") @Nullable String id,
                        @JsonProperty("limits") @Nullable Limits limits) {
            ConfigRule.require(key != null && !key.isBlank(), "key", "is required and must not be empty");
            ConfigRule.require(id == null || id.matches("[A-Za-z0-9_.-]{1,64}"), "id",
                    "must be 1-64 letters, digits, '_', '.' or '-'");
            return new Key(key, Optional.ofNullable(id), or(limits, Limits.NONE));
        }
    }

    /**
     * Where usage (budgets' spend and the rate windows, and the usage ledger behind the usage report) is kept across
     * restarts.
     *
     * @param dir the directory of the usage files; empty: usage lives in memory only and a restart forgets it
     * @param flushInterval how often the usage files are written (and at shutdown)
     * @param retentionDays how many UTC days of the usage ledger are kept (today included), in memory and on disk;
     *     also the longest range one usage report may ask for
     */
    public record Usage(Optional<Path> dir, Duration flushInterval, int retentionDays) {
        /** The default of {@code usage.retention_days}: a year and a month, so a year ago today is still there. */
        public static final int DEFAULT_RETENTION_DAYS = 400;
        /** The largest {@code usage.retention_days}: ten years. */
        public static final int MAX_RETENTION_DAYS = 3660;

        /** In memory only. */
        public static Usage defaults() {
            return new Usage(Optional.empty(), Duration.ofSeconds(1), DEFAULT_RETENTION_DAYS);
        }

        @JsonCreator
        static Usage bind(@JsonProperty("dir") @Nullable String dir,
                          @JsonProperty("flush_interval") @Nullable Duration flushInterval,
                          @JsonProperty("retention_days") @Nullable Integer retentionDays) {
            Duration flush = or(flushInterval, Duration.ofSeconds(1));
            ConfigRule.require(flush.compareTo(Duration.ofSeconds(1)) <= 0, "flush_interval", "must be <= 1s");
            ConfigRule.require(dir == null || !dir.isBlank(), "dir", "must not be empty");
            int retention = or(retentionDays, DEFAULT_RETENTION_DAYS);
            ConfigRule.require(retention >= 1 && retention <= MAX_RETENTION_DAYS, "retention_days",
                    "must be 1-" + MAX_RETENTION_DAYS + " (days)");
            return new Usage(Optional.ofNullable(dir).map(Path::of), flush, retention);
        }
    }
}
