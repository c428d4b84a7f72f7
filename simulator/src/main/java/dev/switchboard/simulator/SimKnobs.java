package dev.switchboard.simulator;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Per-request steering read from {@code metadata} string values, so any OpenAI client can drive the simulator
 * (Anthropic clients send them in the {@code x-switchboard-metadata} header).
 *
 * <ul>
 *   <li>{@code sim_tokens}: exact number of completion tokens, 0–{@value #MAX_TOKENS}</li>
 *   <li>{@code sim_ttft_ms}: delay from request to first token, 0–{@value #MAX_TTFT_MS} ms</li>
 *   <li>{@code sim_tokens_per_second}: pacing; 0 means the default of 40, otherwise from
 *       {@value #MIN_TOKENS_PER_SECOND} to 1e9 (100000 means effectively no delay)</li>
 *   <li>{@code sim_stamp}: {@code true} prefixes every content delta with {@code [[t=MICROS]]}, the
 *       simulator's wall clock in microseconds since the epoch taken just before the chunk is written, so a
 *       client on the same machine can measure the latency a broker adds (the load-test harness does)</li>
 *   <li>{@code sim_tool_call}: answer with one call of the named function, which must be in the request's
 *       {@code tools}, unless the last message is a tool result</li>
 *   <li>{@code sim_audio_speed}: how many times faster than real time a Realtime audio response is generated;
 *       0 means the default of 10, otherwise from {@value #MIN_AUDIO_SPEED} to 1e6. Only the Realtime endpoint
 *       produces audio; the others accept and ignore it</li>
 * </ul>
 *
 * <p>Any other {@code sim_} key is rejected so that a typo fails loudly instead of being silently ignored.
 *
 * @param tokens          exact completion token count, or empty for the seed-derived default
 * @param ttftMs          delay from request arrival to the first token, milliseconds
 * @param tokensPerSecond pacing rate, always positive
 * @param stamp           whether content deltas carry an emit-time stamp
 * @param toolCall        the function to call instead of answering with text, if any
 * @param audioSpeed      audio generation speed as a multiple of real time, always positive
 */
record SimKnobs(OptionalInt tokens, long ttftMs, double tokensPerSecond, boolean stamp, Optional<String> toolCall,
        double audioSpeed) {

    static final String PREFIX = "sim_";
    static final String TOKENS = "sim_tokens";
    static final String TTFT_MS = "sim_ttft_ms";
    static final String TOKENS_PER_SECOND = "sim_tokens_per_second";
    static final String STAMP = "sim_stamp";
    static final String TOOL_CALL = "sim_tool_call";
    static final String AUDIO_SPEED = "sim_audio_speed";
    /** Error parameter prefix for knobs read from a request body's {@code metadata}. */
    static final String BODY_METADATA = "metadata.";

    static final int MAX_TOKENS = 100_000;
    static final long MAX_TTFT_MS = 60_000;
    static final double MIN_TOKENS_PER_SECOND = 0.1;
    static final double MAX_TOKENS_PER_SECOND = 1_000_000_000d;
    static final long DEFAULT_TTFT_MS = 150;
    static final double DEFAULT_TOKENS_PER_SECOND = 40;
    static final double MIN_AUDIO_SPEED = 0.1;
    static final double MAX_AUDIO_SPEED = 1_000_000d;
    static final double DEFAULT_AUDIO_SPEED = 10;

    private static final Set<String> KNOWN = Set.of(TOKENS, TTFT_MS, TOKENS_PER_SECOND, STAMP, TOOL_CALL,
            AUDIO_SPEED);

    SimKnobs {
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(toolCall, "toolCall");
        if (tokens.isPresent() && (tokens.getAsInt() < 0 || tokens.getAsInt() > MAX_TOKENS)) {
            throw new IllegalArgumentException("tokens out of range: " + tokens);
        }
        if (ttftMs < 0 || ttftMs > MAX_TTFT_MS) {
            throw new IllegalArgumentException("ttftMs out of range: " + ttftMs);
        }
        if (!(tokensPerSecond >= MIN_TOKENS_PER_SECOND && tokensPerSecond <= MAX_TOKENS_PER_SECOND)) {
            throw new IllegalArgumentException("tokensPerSecond out of range: " + tokensPerSecond);
        }
        if (!(audioSpeed >= MIN_AUDIO_SPEED && audioSpeed <= MAX_AUDIO_SPEED)) {
            throw new IllegalArgumentException("audioSpeed out of range: " + audioSpeed);
        }
    }

    /** Knobs that produce text without a tool call, audio at the default speed. */
    SimKnobs(OptionalInt tokens, long ttftMs, double tokensPerSecond, boolean stamp) {
        this(tokens, ttftMs, tokensPerSecond, stamp, Optional.empty(), DEFAULT_AUDIO_SPEED);
    }

    /** Nanoseconds it takes to generate one millisecond of audio. */
    long nanosPerAudioMs() {
        return Math.round(1_000_000d / audioSpeed);
    }

    /** Parses the knobs in a body's {@code metadata}, or returns the error naming the first invalid field. */
    static ParseResult<SimKnobs> parse(Map<String, String> metadata) {
        return parse(metadata, BODY_METADATA);
    }

    /**
     * Parses the knobs in {@code metadata}, or returns the error naming the first invalid field as
     * {@code paramPrefix + key} (e.g. {@code metadata.sim_tokens}).
     */
    static ParseResult<SimKnobs> parse(Map<String, String> metadata, String paramPrefix) {
        Optional<OpenAiError> unknown = unknownKnob(metadata, paramPrefix);
        if (unknown.isPresent()) {
            return ParseResult.invalid(unknown.get());
        }
        Optional<Long> tokens = parseLong(metadata.get(TOKENS), MAX_TOKENS);
        if (metadata.containsKey(TOKENS) && tokens.isEmpty()) {
            return ParseResult.invalid(OpenAiError.invalidValue(paramPrefix + TOKENS,
                    "expected an integer from 0 to " + MAX_TOKENS));
        }
        Optional<Long> ttft = parseLong(metadata.get(TTFT_MS), MAX_TTFT_MS);
        if (metadata.containsKey(TTFT_MS) && ttft.isEmpty()) {
            return ParseResult.invalid(OpenAiError.invalidValue(paramPrefix + TTFT_MS,
                    "expected an integer number of milliseconds from 0 to " + MAX_TTFT_MS));
        }
        Optional<Double> rate = parseRate(metadata.get(TOKENS_PER_SECOND), MIN_TOKENS_PER_SECOND,
                MAX_TOKENS_PER_SECOND);
        if (metadata.containsKey(TOKENS_PER_SECOND) && rate.isEmpty()) {
            return ParseResult.invalid(OpenAiError.invalidValue(paramPrefix + TOKENS_PER_SECOND,
                    "expected 0 (the default of 40) or a number from 0.1 to 1e9"));
        }
        Optional<Double> audioSpeed = parseRate(metadata.get(AUDIO_SPEED), MIN_AUDIO_SPEED, MAX_AUDIO_SPEED);
        if (metadata.containsKey(AUDIO_SPEED) && audioSpeed.isEmpty()) {
            return ParseResult.invalid(OpenAiError.invalidValue(paramPrefix + AUDIO_SPEED,
                    "expected 0 (the default of 10) or a number from 0.1 to 1e6"));
        }
        String stamp = metadata.getOrDefault(STAMP, "false").trim();
        if (!stamp.equals("true") && !stamp.equals("false")) {
            return ParseResult.invalid(OpenAiError.invalidValue(paramPrefix + STAMP, "expected true or false"));
        }
        Optional<String> toolCall = Optional.ofNullable(metadata.get(TOOL_CALL)).map(String::trim);
        if (toolCall.isPresent() && toolCall.get().isEmpty()) {
            return ParseResult.invalid(OpenAiError.invalidValue(paramPrefix + TOOL_CALL, "expected a function name"));
        }
        OptionalInt exactTokens = tokens.map(t -> OptionalInt.of(t.intValue())).orElse(OptionalInt.empty());
        double tokensPerSecond = rate.filter(r -> r > 0).orElse(DEFAULT_TOKENS_PER_SECOND);
        return ParseResult.valid(new SimKnobs(exactTokens, ttft.orElse(DEFAULT_TTFT_MS), tokensPerSecond,
                stamp.equals("true"), toolCall, audioSpeed.filter(s -> s > 0).orElse(DEFAULT_AUDIO_SPEED)));
    }

    /** The error for the first {@code sim_} key that is not a knob, if any. */
    private static Optional<OpenAiError> unknownKnob(Map<String, String> metadata, String paramPrefix) {
        for (String key : metadata.keySet()) {
            if (key.startsWith(PREFIX) && !KNOWN.contains(key)) {
                return Optional.of(OpenAiError.invalidValue(paramPrefix + key,
                        "unknown simulator knob; expected one of " + TOKENS + ", " + TTFT_MS + ", "
                                + TOKENS_PER_SECOND + ", " + STAMP + ", " + TOOL_CALL + ", " + AUDIO_SPEED));
            }
        }
        return Optional.empty();
    }

    /**
     * The error for a {@code sim_tool_call} that names no function in {@code toolNames}; empty when the knob is
     * unset or names one of them.
     */
    Optional<OpenAiError> checkToolCall(List<String> toolNames, String paramPrefix) {
        if (toolCall.isEmpty() || toolNames.contains(toolCall.get())) {
            return Optional.empty();
        }
        return Optional.of(OpenAiError.invalidValue(paramPrefix + TOOL_CALL,
                "expected the name of a function in 'tools', got '" + toolCall.get() + "'"));
    }

    private static Optional<Long> parseLong(@Nullable String value, long max) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            long parsed = Long.parseLong(value.trim());
            return parsed >= 0 && parsed <= max ? Optional.of(parsed) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** 0, or a number from {@code min} to {@code max}. */
    private static Optional<Double> parseRate(@Nullable String value, double min, double max) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            double parsed = Double.parseDouble(value.trim());
            boolean valid = parsed == 0 || (parsed >= min && parsed <= max);
            return valid ? Optional.of(parsed) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
