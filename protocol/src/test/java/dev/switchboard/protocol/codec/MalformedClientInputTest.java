package dev.switchboard.protocol.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.protocol.event.ErrorDetail;
import dev.switchboard.protocol.event.ErrorEvent;
import java.util.Optional;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad client frames become an {@code error} to send back, never an exception: the code says what kind of problem
 * it is, {@code param} names the field path and {@code event_id} the client's event when it could be read.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class MalformedClientInputTest {
    private static final EventCodec CODEC = EventCodec.create();

    @ParameterizedTest
    @ValueSource(strings = {"{", "{\"type\":", "not json", "{'type':'response.cancel'}",
        "{\"type\":\"response.cancel\",}", "{\"type\":\"response.cancel\"} trailing",
        "{\"type\":\"response.cancel\"}{}"})
    void text_that_is_not_json_is_invalid_json(String frame) {
        ErrorDetail error = rejected(frame);

        assertEquals(EventCodec.INVALID_JSON, error.code());
        assertTrue(error.message().startsWith("frame is not valid JSON"), error.message());
        assertEquals(Optional.empty(), error.param());
        assertEquals(Optional.empty(), error.eventId());
    }

    @ParameterizedTest
    @ValueSource(strings = {"[{\"type\":\"response.cancel\"}]", "[]", "42", "-1.5", "\"response.cancel\"", "true",
        "null", "", "   "})
    void json_that_is_not_an_object_is_invalid_json(String frame) {
        ErrorDetail error = rejected(frame);

        assertEquals(EventCodec.INVALID_JSON, error.code());
        assertEquals("frame must be a JSON object", error.message());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"event_id\":\"evt_bad\"}", "{\"event_id\":\"evt_bad\",\"type\":null}",
        "{\"event_id\":\"evt_bad\",\"session\":{}}"})
    void missing_type_is_a_missing_required_parameter(String frame) {
        ErrorDetail error = rejected(frame);

        assertEquals(EventCodec.MISSING_PARAMETER, error.code());
        assertEquals(Optional.of("type"), error.param());
        assertTrue(error.message().contains("'type'"), error.message());
        assertEquals(Optional.of("evt_bad"), error.eventId());
    }

    @ParameterizedTest
    @ValueSource(strings = {"5", "true", "{}", "[\"response.cancel\"]", "\"\""})
    void type_that_is_not_a_non_empty_string_is_an_invalid_value(String type) {
        ErrorDetail error = rejected("{\"event_id\":\"evt_bad\",\"type\":" + type + "}");

        assertEquals(EventCodec.INVALID_VALUE, error.code());
        assertEquals(Optional.of("type"), error.param());
        assertTrue(error.message().contains("'type' must be a non-empty string"), error.message());
        assertEquals(Optional.of("evt_bad"), error.eventId());
    }

    @ParameterizedTest
    @ValueSource(strings = {"5", "true", "{}", "[\"evt_1\"]"})
    void event_id_that_is_not_a_string_is_an_invalid_value_without_an_event_id(String eventId) {
        ErrorDetail error = rejected("{\"type\":\"response.cancel\",\"event_id\":" + eventId + "}");

        assertEquals(EventCodec.INVALID_VALUE, error.code());
        assertEquals(Optional.of("event_id"), error.param());
        assertTrue(error.message().contains("event_id must be a string"), error.message());
        assertEquals(Optional.empty(), error.eventId());
    }

    @ParameterizedTest(name = "{0}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
        session.update           | session.instructions         | "session":{"instructions":42}
        session.update           | session                      | "session":"realtime"
        session.update           | session.output_modalities    | "session":{"output_modalities":"text"}
        session.update           | session.output_modalities[1] | "session":{"output_modalities":["text",1]}
        session.update           | session.tools                | "session":{"tools":{"type":"function"}}
        session.update           | session.model                | "session":{"model":["gpt-realtime"]}
        response.create          | response.metadata.a          | "response":{"metadata":{"a":1}}
        response.create          | response.metadata.a          | "response":{"metadata":{"a":null}}
        response.create          | response.metadata            | "response":{"metadata":["a"]}
        response.create          | response.input               | "response":{"input":{}}
        response.create          | response.input[0]            | "response":{"input":[5]}
        response.create          | response.input[0].content    | "response":{"input":[{"type":"message","content":{}}]}
        response.create          | response.instructions        | "response":{"instructions":true}
        response.create          | response.conversation        | "response":{"conversation":1}
        response.create          | response                     | "response":"now"
        conversation.item.create | item                         | "item":"x"
        conversation.item.create | item.content                 | "item":{"type":"message","content":"hi"}
        conversation.item.create | item.content[0]              | "item":{"type":"message","content":[null]}
        conversation.item.create | item.content[0].text         | "item":{"type":"m","content":[{"type":"t","text":7}]}
        conversation.item.create | item.role                    | "item":{"type":"message","role":{}}
        conversation.item.create | previous_item_id             | "item":{"type":"message"},"previous_item_id":3
        response.cancel          | response_id                  | "response_id":5
        response.cancel          | response_id                  | "response_id":{"id":"resp_1"}
        """)
    void field_of_the_wrong_shape_is_an_invalid_value_naming_the_field_path(String type, String param,
                                                                             String fields) {
        ErrorDetail error = rejected("{\"type\":\"" + type + "\",\"event_id\":\"evt_bad\"," + fields + "}");

        assertEquals(EventCodec.INVALID_VALUE, error.code(), error::toString);
        assertEquals(Optional.of(param), error.param());
        assertTrue(error.message().startsWith(type + ": "), error.message());
        assertTrue(error.message().contains(param), error.message());
        assertEquals(Optional.of("evt_bad"), error.eventId());
        assertEquals("invalid_request_error", error.type());
    }

    @ParameterizedTest(name = "{0}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
        session.update           | session                | "x":1
        session.update           | session                | "session":null
        conversation.item.create | item                   | "x":1
        conversation.item.create | item.type              | "item":{}
        conversation.item.create | item.type              | "item":{"type":""}
        conversation.item.create | item.content[0].type   | "item":{"type":"message","content":[{"text":"hi"}]}
        response.create          | response.input[0].type | "response":{"input":[{"role":"user"}]}
        """)
    void missing_required_field_is_a_missing_required_parameter_naming_the_field_path(String type, String param,
                                                                                       String fields) {
        ErrorDetail error = rejected("{\"type\":\"" + type + "\",\"event_id\":\"evt_bad\"," + fields + "}");

        assertEquals(EventCodec.MISSING_PARAMETER, error.code(), error::toString);
        assertEquals(Optional.of(param), error.param());
        assertTrue(error.message().contains("missing required field"), error.message());
        assertEquals(Optional.of("evt_bad"), error.eventId());
    }

    @Test
    void error_message_does_not_echo_a_large_frame_back() {
        String huge = "x".repeat(100_000);

        ErrorDetail error = rejected("{\"type\":\"conversation.item.create\",\"item\":\"" + huge + "\"}");

        assertEquals(Optional.of("item"), error.param());
        assertTrue(error.message().length() < 400, () -> "message of " + error.message().length() + " chars");
    }

    @Test
    void rejection_encodes_as_a_realtime_error_event() {
        ErrorDetail error = rejected(
                "{\"type\":\"session.update\",\"event_id\":\"evt_9\",\"session\":{\"instructions\":42}}");

        JsonNode wire = Golden.strictTree(CODEC.encodeServer(new ErrorEvent(error), "event_1", 3));

        assertEquals("error", wire.get("type").asText());
        assertEquals("invalid_request_error", wire.at("/error/type").asText());
        assertEquals("invalid_value", wire.at("/error/code").asText());
        assertEquals("session.instructions", wire.at("/error/param").asText());
        assertEquals("evt_9", wire.at("/error/event_id").asText());
        assertEquals(3, wire.get("seq").asInt());
    }

    private static ErrorDetail rejected(String frame) {
        ClientDecoding decoding = CODEC.decodeClient(frame);
        return assertInstanceOf(ClientDecoding.Rejected.class, decoding, decoding::toString).error();
    }
}
