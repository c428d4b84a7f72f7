package dev.switchboard.protocol.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.protocol.event.ClientEvent;
import dev.switchboard.protocol.event.ErrorDetail;
import dev.switchboard.protocol.event.ResponseCancel;
import dev.switchboard.protocol.event.ResponseCreate;
import dev.switchboard.protocol.event.ResponseParams;
import dev.switchboard.protocol.event.SessionUpdate;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Rules enforced by the records' compact constructors reach the client as {@code invalid_value} errors naming the
 * field, never as exceptions. Input is typed strictly and unknown fields are ignored.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ClientValidationTest {
    private static final EventCodec CODEC = EventCodec.create();

    @Test
    void sixteen_metadata_pairs_are_accepted() {
        ResponseCreate create = (ResponseCreate) decoded(responseCreate("\"metadata\":" + metadata(16)));

        assertEquals(16, create.response().metadata().size());
    }

    @Test
    void more_than_sixteen_metadata_pairs_are_rejected() {
        ErrorDetail error = rejected(responseCreate("\"metadata\":" + metadata(17)));

        assertEquals(EventCodec.INVALID_VALUE, error.code());
        assertEquals(Optional.of("response.metadata"), error.param());
        assertTrue(error.message().contains("at most 16 pairs"), error.message());
        assertEquals(Optional.of("evt_v"), error.eventId());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "4097", "\"foo\"", "\"5\"", "\"INF\"", "5.0", "true", "{}", "[16]",
        "18446744073709551621"})
    void response_max_output_tokens_outside_the_rules_is_rejected(String value) {
        ErrorDetail error = rejected(responseCreate("\"max_output_tokens\":" + value));

        assertEquals(EventCodec.INVALID_VALUE, error.code());
        assertEquals(Optional.of("response.max_output_tokens"), error.param());
        assertTrue(error.message().contains("max_output_tokens must be an integer 1..4096 or \"inf\""),
                error.message());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "4097", "\"foo\"", "\"5\"", "18446744073709551621"})
    void session_max_output_tokens_outside_the_rules_is_rejected(String value) {
        ErrorDetail error = rejected(sessionUpdate("\"max_output_tokens\":" + value));

        assertEquals(EventCodec.INVALID_VALUE, error.code());
        assertEquals(Optional.of("session.max_output_tokens"), error.param());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "4096", "\"inf\""})
    void max_output_tokens_within_the_rules_is_kept_as_sent(String value) {
        ResponseCreate create = (ResponseCreate) decoded(responseCreate("\"max_output_tokens\":" + value));
        SessionUpdate update = (SessionUpdate) decoded(sessionUpdate("\"max_output_tokens\":" + value));

        assertEquals(value, create.response().maxOutputTokens().orElseThrow().toString());
        assertEquals(value, update.session().maxOutputTokens().orElseThrow().toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"maybe", "", "AUTO", "inherit"})
    void conversation_other_than_auto_or_none_is_rejected(String value) {
        ErrorDetail error = rejected(responseCreate("\"conversation\":\"" + value + "\""));

        assertEquals(EventCodec.INVALID_VALUE, error.code());
        assertEquals(Optional.of("response.conversation"), error.param());
        assertTrue(error.message().contains("'auto' or 'none'"), error.message());
    }

    @ParameterizedTest
    @ValueSource(strings = {"auto", "none"})
    void conversation_auto_or_none_is_accepted(String value) {
        ResponseCreate create = (ResponseCreate) decoded(responseCreate("\"conversation\":\"" + value + "\""));

        assertEquals(Optional.of(value), create.response().conversation());
    }

    @ParameterizedTest
    @ValueSource(strings = {"transcription", "Realtime", ""})
    void session_type_other_than_realtime_is_rejected(String value) {
        ErrorDetail error = rejected(sessionUpdate("\"type\":\"" + value + "\""));

        assertEquals(EventCodec.INVALID_VALUE, error.code());
        assertEquals(Optional.of("session.type"), error.param());
        assertTrue(error.message().contains("session.type must be 'realtime'"), error.message());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"instructions\":5", "\"instructions\":true", "\"model\":1.5",
        "\"output_modalities\":[true]"})
    void strings_are_never_coerced_from_other_json_types(String field) {
        ErrorDetail error = rejected(sessionUpdate(field));

        assertEquals(EventCodec.INVALID_VALUE, error.code());
        assertTrue(error.param().orElseThrow().startsWith("session."), error::toString);
    }

    @Test
    void absent_and_null_optional_fields_default_to_empty() {
        ResponseCreate bare = (ResponseCreate) decoded("{\"type\":\"response.create\"}");
        ResponseCreate nulls = (ResponseCreate) decoded(responseCreate(
                "\"instructions\":null,\"input\":null,\"metadata\":null,\"max_output_tokens\":null,"
                        + "\"tool_choice\":null,\"tools\":null,\"output_modalities\":null,\"conversation\":null"));
        SessionUpdate session = (SessionUpdate) decoded(sessionUpdate("\"tool_choice\":null"));

        assertEquals("", bare.eventId());
        assertEquals(ResponseParams.none(), bare.response());
        assertEquals(ResponseParams.none(), nulls.response());
        assertEquals(Optional.empty(), session.session().toolChoice());
        assertEquals(Optional.empty(), session.session().maxOutputTokens());
    }

    @Test
    void null_event_id_reads_as_no_event_id() {
        ResponseCancel cancel = (ResponseCancel) decoded("{\"type\":\"response.cancel\",\"event_id\":null}");

        assertEquals("", cancel.eventId());
        assertEquals(Optional.empty(), cancel.responseId());
    }

    @Test
    void unknown_fields_inside_known_events_are_ignored() {
        String frame = "{\"type\":\"session.update\",\"event_id\":\"evt_v\",\"future\":{\"x\":[1]},"
                + "\"session\":{\"type\":\"realtime\",\"instructions\":\"Be brief.\","
                + "\"audio\":{\"output\":{\"voice\":\"marin\"}},\"tracing\":\"auto\"}}";

        SessionUpdate update = (SessionUpdate) decoded(frame);

        assertEquals(Optional.of("Be brief."), update.session().instructions());
        assertEquals("{\"type\":\"session.update\",\"event_id\":\"evt_v\","
                        + "\"session\":{\"type\":\"realtime\",\"instructions\":\"Be brief.\"}}",
                Golden.strictTree(CODEC.encodeClient(update)).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"model", "messages", "stream", "stream_options", "tools", "tool_choice", "metadata",
        "max_tokens", "max_completion_tokens", "n"})
    void upstream_params_may_not_carry_a_field_the_broker_sets(String key) {
        ErrorDetail error = rejected(responseCreate("\"upstream_params\":{\"" + key + "\":1}"));

        assertEquals(EventCodec.INVALID_VALUE, error.code());
        assertEquals(Optional.of("response.upstream_params"), error.param());
        assertTrue(error.message().contains("upstream_params." + key + " is reserved"), error.message());
    }

    @Test
    void upstream_params_keep_any_json_value_and_drop_nulls() {
        ResponseCreate create = (ResponseCreate) decoded(responseCreate(
                "\"upstream_params\":{\"temperature\":0,\"response_format\":{\"type\":\"json_object\"},"
                        + "\"logit_bias\":{},\"user\":\"u-1\"}"));

        assertEquals(4, create.response().upstreamParams().size());
        assertEquals("json_object", create.response().upstreamParams().get("response_format").path("type").asText());
    }

    @Test
    void upstream_params_must_be_an_object() {
        ErrorDetail error = rejected(responseCreate("\"upstream_params\":[1]"));

        assertEquals(EventCodec.INVALID_VALUE, error.code());
        assertEquals(Optional.of("response.upstream_params"), error.param());
    }

    private static String responseCreate(String responseFields) {
        return "{\"type\":\"response.create\",\"event_id\":\"evt_v\",\"response\":{" + responseFields + "}}";
    }

    private static String sessionUpdate(String sessionFields) {
        return "{\"type\":\"session.update\",\"event_id\":\"evt_v\",\"session\":{" + sessionFields + "}}";
    }

    private static String metadata(int pairs) {
        return IntStream.rangeClosed(1, pairs)
                .mapToObj(i -> "\"k" + i + "\":\"v" + i + "\"")
                .collect(Collectors.joining(",", "{", "}"));
    }

    private static ClientEvent decoded(String frame) {
        ClientDecoding decoding = CODEC.decodeClient(frame);
        return assertInstanceOf(ClientDecoding.Decoded.class, decoding, decoding::toString).event();
    }

    private static ErrorDetail rejected(String frame) {
        ClientDecoding decoding = CODEC.decodeClient(frame);
        return assertInstanceOf(ClientDecoding.Rejected.class, decoding, decoding::toString).error();
    }
}
