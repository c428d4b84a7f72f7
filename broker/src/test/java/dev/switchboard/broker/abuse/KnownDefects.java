package dev.switchboard.broker.abuse;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Defects the fuzzer found that the broker's owner has yet to fix, as the generators and checks must tolerate
 * them to keep the suite green. Each entry names the disabled regression test in {@link KnownDefectsTest} that
 * reproduces it; when that test is fixed and enabled, remove the entry here.
 */
final class KnownDefects {
    /**
     * Error codes the broker sends that docs/protocol.md's Errors table does not list.
     * {@code KnownDefectsTest#audio_input_on_a_text_model_is_refused_with_a_documented_code}.
     */
    static final Set<String> UNDOCUMENTED_CODES = Set.of();
    /**
     * Whether error messages may show Java class, Jackson feature and parser internals.
     * {@code KnownDefectsTest#decoding_errors_name_the_field_without_java_or_jackson_internals}.
     */
    static final boolean MESSAGES_SHOW_INTERNALS = false;
    /**
     * Whether a relayed session answers {@code {"type":null}} with {@code invalid_value} instead of the documented
     * {@code missing_required_parameter}.
     * {@code KnownDefectsTest#a_null_type_gets_the_documented_code_on_a_relayed_session_too}.
     */
    static final boolean RELAY_NULL_TYPE_IS_INVALID_VALUE = false;
    /**
     * Whether a relayed session answers a {@code type} that is an object or array with {@code invalid_json} instead of
     * the documented {@code invalid_value}.
     * {@code KnownDefectsTest#a_type_that_is_an_object_or_array_gets_invalid_value_on_a_relayed_session_too}.
     */
    static final boolean RELAY_CONTAINER_TYPE_IS_INVALID_JSON = false;
    /**
     * Whether a relayed session refuses a non-string {@code event_id} the moment it reads it, before the rest of the
     * frame: a frame that is not JSON then gets {@code invalid_value} instead of {@code invalid_json}, and of a
     * duplicated {@code event_id} the first value counts where a bridged session takes the last.
     * {@code KnownDefectsTest#a_broken_frame_with_a_bad_event_id_gets_invalid_json_on_a_relayed_session_too} and
     * {@code KnownDefectsTest#a_duplicated_event_id_is_read_the_same_way_by_bridged_and_relayed_sessions}.
     */
    static final boolean RELAY_REFUSES_EVENT_ID_BEFORE_READING_THE_REST = false;

    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final Predicate<JsonToken> BAD_EVENT_ID = value -> value != JsonToken.VALUE_STRING
            && value != JsonToken.VALUE_NULL;
    private static final Predicate<JsonToken> CONTAINER = value -> value == JsonToken.START_OBJECT
            || value == JsonToken.START_ARRAY;

    private KnownDefects() {
    }

    /**
     * Why the bridged and relayed answers to {@code frame} cannot be compared yet, if a known defect makes them
     * differ: a null or container {@code type} (also as the last of duplicated ones), or a bad {@code event_id} in a
     * frame that is not strictly one JSON object.
     */
    static Optional<String> parityMask(Frame frame) {
        if (frame.isBinary()) {
            return Optional.empty();
        }
        String wire = new String(frame.text().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        if (RELAY_REFUSES_EVENT_ID_BEFORE_READING_THE_REST && topLevel(wire, "event_id", BAD_EVENT_ID)
                && !strictlyOneObject(wire)) {
            return Optional.of("bad event_id in a broken frame");
        }
        if (RELAY_CONTAINER_TYPE_IS_INVALID_JSON && topLevel(wire, "type", CONTAINER)) {
            return Optional.of("container type");
        }
        try {
            // Of duplicated keys the bridged session reads the last; a null there is what it refuses as missing.
            if (RELAY_NULL_TYPE_IS_INVALID_VALUE && Mutator.JSON.readTree(wire).path("type").isNull()) {
                return Optional.of("null type");
            }
        } catch (Exception e) {
            // Not JSON: nothing else masks it.
        }
        return Optional.empty();
    }

    private static boolean strictlyOneObject(String text) {
        try {
            return STRICT.readTree(text) != null;
        } catch (Exception e) {
            return false;
        }
    }

    /** Whether a streaming read meets a top-level {@code name} whose value's first token matches {@code value}. */
    private static boolean topLevel(String text, String name, Predicate<JsonToken> matches) {
        try (JsonParser parser = Mutator.JSON.getFactory().createParser(text)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals(name) && matches.test(value)) {
                    return true;
                }
                parser.skipChildren();
            }
        } catch (Exception e) {
            return false;
        }
        return false;
    }
}
