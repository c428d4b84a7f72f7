package dev.switchboard.simulator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * Parses the {@code {spec}} segment of {@code /faults/{spec}/v1/...}: comma-separated {@code key=value} items,
 * each key at most once. See the module README for the keys. Errors name the key as {@code faults.KEY}.
 * Stateless and thread-safe.
 */
final class FaultSpecParser {

    static final String STATUS = "status";
    static final String RETRY_AFTER = "retry_after";
    static final String ERROR_CODE = "error_code";
    static final String RESET_BEFORE_HEADERS = "reset_before_headers";
    static final String NO_RESPONSE = "no_response";
    static final String TTFT_MS = "ttft_ms";
    static final String CUT_AFTER = "cut_after";
    static final String STALL_AFTER = "stall_after";
    static final String MALFORMED_AT = "malformed_at";
    static final String NO_DONE = "no_done";
    static final String INBAND_ERROR_AFTER = "inband_error_after";
    static final String REJECT_PREFILL = "reject_prefill";
    static final String FAIL_FIRST = "fail_first";

    static final List<String> KEYS = List.of(STATUS, RETRY_AFTER, ERROR_CODE, RESET_BEFORE_HEADERS, NO_RESPONSE,
            TTFT_MS, CUT_AFTER, STALL_AFTER, MALFORMED_AT, NO_DONE, INBAND_ERROR_AFTER, REJECT_PREFILL, FAIL_FIRST);
    /** Besides status (or error_code alone), keys of which at most one may be set: each decides the ending. */
    private static final List<String> ENDINGS = List.of(RESET_BEFORE_HEADERS, NO_RESPONSE, CUT_AFTER,
            STALL_AFTER, INBAND_ERROR_AFTER, NO_DONE);
    /** Endings that refuse the request before any completion is planned. */
    private static final List<String> REFUSALS = List.of(STATUS, ERROR_CODE, RESET_BEFORE_HEADERS, NO_RESPONSE);
    private static final long MAX_TOKENS = SimKnobs.MAX_TOKENS;
    private static final long MAX_RETRY_AFTER_SECONDS = 86_400;
    private static final long MAX_FAIL_FIRST = 1_000_000_000L;

    private FaultSpecParser() {
    }

    static ParseResult<FaultProfile> parse(String spec) {
        Items items = new Items();
        if (!items.split(spec)) {
            return ParseResult.invalid(items.error());
        }
        OptionalLong status = items.number(STATUS, 400, 599);
        OptionalLong retryAfter = items.number(RETRY_AFTER, 0, MAX_RETRY_AFTER_SECONDS);
        Optional<FaultProfile.ErrorCode> code = items.errorCode();
        boolean reset = items.flag(RESET_BEFORE_HEADERS);
        boolean noResponse = items.flag(NO_RESPONSE);
        OptionalLong ttft = items.number(TTFT_MS, 0, SimKnobs.MAX_TTFT_MS);
        OptionalLong cut = items.number(CUT_AFTER, 0, MAX_TOKENS);
        OptionalLong stall = items.number(STALL_AFTER, 0, MAX_TOKENS);
        OptionalLong malformed = items.number(MALFORMED_AT, 1, MAX_TOKENS);
        boolean noDone = items.flag(NO_DONE);
        OptionalLong inband = items.number(INBAND_ERROR_AFTER, 0, MAX_TOKENS);
        boolean rejectPrefill = items.flag(REJECT_PREFILL);
        OptionalLong failFirst = items.number(FAIL_FIRST, 0, MAX_FAIL_FIRST);
        if (items.hasError() || !items.checkCombinations()) {
            return ParseResult.invalid(items.error());
        }
        Optional<FaultProfile.Rejection> rejection = Optional.empty();
        if (status.isPresent() || code.isPresent()) {
            int httpStatus = (int) status.orElse(400);
            rejection = Optional.of(new FaultProfile.Status(httpStatus, retryAfter, code));
        } else if (reset) {
            rejection = Optional.of(new FaultProfile.Reset());
        } else if (noResponse) {
            rejection = Optional.of(new FaultProfile.NoResponse());
        }
        StreamFaults stream = streamFaults((int) malformed.orElse(0), cut, stall, inband, noDone);
        return ParseResult.valid(new FaultProfile(spec, rejection, ttft, stream, rejectPrefill, failFirst));
    }

    private static StreamFaults streamFaults(int malformedAt, OptionalLong cut, OptionalLong stall,
            OptionalLong inband, boolean noDone) {
        if (cut.isPresent()) {
            return new StreamFaults(malformedAt, StreamFaults.Ending.CUT, (int) cut.getAsLong());
        }
        if (stall.isPresent()) {
            return new StreamFaults(malformedAt, StreamFaults.Ending.STALL, (int) stall.getAsLong());
        }
        if (inband.isPresent()) {
            return new StreamFaults(malformedAt, StreamFaults.Ending.INBAND_ERROR, (int) inband.getAsLong());
        }
        return new StreamFaults(malformedAt, noDone ? StreamFaults.Ending.NO_DONE : StreamFaults.Ending.COMPLETE, 0);
    }

    /** The spec's items, read key by key; remembers the first problem so parsing reads straight through. */
    private static final class Items {

        private final Map<String, String> values = new LinkedHashMap<>();
        private @Nullable OpenAiError error;

        boolean split(String spec) {
            if (spec.isEmpty()) {
                return fail("faults", "expected key=value items separated by commas");
            }
            for (String item : spec.split(",", -1)) {
                int equals = item.indexOf('=');
                String key = equals < 0 ? item : item.substring(0, equals);
                if (!KEYS.contains(key)) {
                    return fail(param(key), "unknown fault key; expected one of " + String.join(", ", KEYS));
                }
                if (equals < 0) {
                    return fail(param(key), "expected " + key + "=VALUE");
                }
                if (values.putIfAbsent(key, item.substring(equals + 1)) != null) {
                    return fail(param(key), "given more than once");
                }
            }
            return true;
        }

        OptionalLong number(String key, long min, long max) {
            String value = values.get(key);
            if (value == null) {
                return OptionalLong.empty();
            }
            try {
                long parsed = Long.parseLong(value);
                if (parsed >= min && parsed <= max) {
                    return OptionalLong.of(parsed);
                }
            } catch (NumberFormatException e) {
                // Reported below, with the rule.
            }
            fail(param(key), "expected an integer from " + min + " to " + max);
            return OptionalLong.empty();
        }

        /** {@code true} or {@code false}; a flag set to {@code false} counts as absent. */
        boolean flag(String key) {
            String value = values.get(key);
            if (value != null && !value.equals("true") && !value.equals("false")) {
                fail(param(key), "expected true or false");
            }
            if ("false".equals(value)) {
                values.remove(key);
            }
            return "true".equals(value);
        }

        Optional<FaultProfile.ErrorCode> errorCode() {
            String value = values.get(ERROR_CODE);
            if (value == null) {
                return Optional.empty();
            }
            for (FaultProfile.ErrorCode code : FaultProfile.ErrorCode.values()) {
                if (code.wireName().equals(value)) {
                    return Optional.of(code);
                }
            }
            fail(param(ERROR_CODE), "expected context_length_exceeded or content_policy_violation");
            return Optional.empty();
        }

        /** At most one ending; no TTFT or malformed event on a refused request; retry_after only on an error. */
        boolean checkCombinations() {
            List<String> endings = new ArrayList<>();
            if (values.containsKey(STATUS) || values.containsKey(ERROR_CODE)) {
                endings.add(values.containsKey(STATUS) ? STATUS : ERROR_CODE);
            }
            for (String key : ENDINGS) {
                if (values.containsKey(key)) {
                    endings.add(key);
                }
            }
            if (endings.size() > 1) {
                return fail(param(endings.get(1)), "cannot be combined with " + endings.get(0));
            }
            boolean refused = !endings.isEmpty() && REFUSALS.contains(endings.get(0));
            for (String shaping : List.of(TTFT_MS, MALFORMED_AT)) {
                if (refused && values.containsKey(shaping)) {
                    return fail(param(shaping), "cannot be combined with " + endings.get(0));
                }
            }
            if (values.containsKey(RETRY_AFTER) && endings.stream().noneMatch(List.of(STATUS, ERROR_CODE)::contains)) {
                return fail(param(RETRY_AFTER), "needs status or error_code");
            }
            return true;
        }

        boolean hasError() {
            return error != null;
        }

        OpenAiError error() {
            if (error == null) {
                throw new IllegalStateException("no error recorded");
            }
            return error;
        }

        private boolean fail(String param, String rule) {
            if (error == null) {
                error = OpenAiError.invalidValue(param, rule);
            }
            return false;
        }

        private static String param(String key) {
            return "faults." + key;
        }
    }
}
