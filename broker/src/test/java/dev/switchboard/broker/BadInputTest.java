package dev.switchboard.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class BadInputTest {
    private static TestBroker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = TestBroker.dev();
    }

    @AfterAll
    static void stop() throws Exception {
        broker.close();
    }

    static Stream<Arguments> badFrames() {
        return Stream.of(
                Arguments.of("not JSON", "this is not json", "invalid_json", "not valid JSON"),
                Arguments.of("a JSON array", "[1,2,3]", "invalid_json", "JSON object"),
                Arguments.of("a missing type", "{\"event_id\":\"e1\"}", "missing_required_parameter", "type"),
                Arguments.of("an unknown type", "{\"type\":\"vendor.thing\",\"event_id\":\"e2\"}",
                        "unknown_event_type", "vendor.thing"),
                Arguments.of("audio appended on a text model", "{\"type\":\"input_audio_buffer.append\","
                        + "\"event_id\":\"e5\",\"audio\":\"AAAA\"}", "modality_not_supported", "[text]"),
                Arguments.of("a wrong shape", "{\"type\":\"session.update\",\"event_id\":\"e3\",\"session\":"
                        + "{\"instructions\":42}}", "invalid_value", "instructions"),
                Arguments.of("non-string metadata", "{\"type\":\"response.create\",\"event_id\":\"e4\",\"response\":"
                        + "{\"metadata\":{\"n\":1}}}", "invalid_value", "metadata"),
                Arguments.of("audio input on a text model", RealtimeClient.userMessage("x").replace("input_text",
                        "input_audio"), "invalid_value", "input_audio"),
                Arguments.of("audio output on a text model", "{\"type\":\"session.update\",\"session\":"
                        + "{\"output_modalities\":[\"audio\"]}}", "invalid_value", "output_modalities [text]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFrames")
    void bad_input_gets_an_error_naming_the_problem_and_the_session_keeps_working(String what, String frame,
                                                                                   String code, String mention)
            throws Exception {
        try (RealtimeClient client = broker.connect()) {
            client.next();
            client.send(frame);
            JsonNode error = client.next();
            assertEquals("error", error.path("type").asText(), error::toString);
            assertEquals(code, error.path("error").path("code").asText(), error::toString);
            assertTrue(error.path("error").path("message").asText().contains(mention), error::toString);
            assertEquals("invalid_request_error", error.path("error").path("type").asText());
            assertStillServes(client);
        }
    }

    @Test
    void a_binary_frame_gets_an_error_and_the_session_keeps_working() throws Exception {
        try (RealtimeClient client = broker.connect()) {
            client.next();
            client.sendBinary(new byte[] {1, 2, 3});
            JsonNode error = client.next();
            assertEquals("binary_frame_not_supported", error.path("error").path("code").asText());
            assertStillServes(client);
        }
    }

    @Test
    void a_frame_over_the_size_limit_gets_an_error_and_the_session_keeps_working() throws Exception {
        try (RealtimeClient client = broker.connect()) {
            client.next();
            String big = RealtimeClient.userMessage("x".repeat((1 << 20) + 10));
            client.send(big);
            JsonNode error = client.next();
            assertEquals("frame_too_large", error.path("error").path("code").asText());
            assertTrue(error.path("error").path("message").asText().contains("1048576"), error::toString);
            assertStillServes(client);
        }
    }

    @ParameterizedTest(name = "sent {0}")
    @ValueSource(strings = {"as one frame", "in fragments"})
    void a_message_far_above_jettys_old_16_MiB_ceiling_gets_one_error_and_the_session_keeps_working(String how)
            throws Exception {
        try (RealtimeClient client = broker.connect()) {
            client.next();
            send(client, RealtimeClient.userMessage("x".repeat(20 << 20)), how);
            assertFrameTooLarge(client.next());
            assertStillServes(client);
        }
    }

    @ParameterizedTest(name = "sent {0}")
    @ValueSource(strings = {"as one frame", "in fragments"})
    void a_message_within_the_limit_in_characters_but_over_it_in_utf8_bytes_gets_frame_too_large(String how)
            throws Exception {
        try (RealtimeClient client = broker.connect()) {
            client.next();
            send(client, RealtimeClient.userMessage("\u00e9".repeat(600_000)), how);
            assertFrameTooLarge(client.next());
            assertStillServes(client);
        }
    }

    @Test
    void a_message_sent_in_fragments_is_reassembled_whole() throws Exception {
        String text = "caf\u00e9 \u2713 \ud83d\ude00 ".repeat(500);
        try (RealtimeClient client = broker.connect()) {
            client.next();
            client.sendFragmented(RealtimeClient.userMessage(text), 7);
            List<JsonNode> added = client.until("conversation.item.done");
            JsonNode item = added.get(added.size() - 1).path("item");
            assertEquals(text, item.path("content").path(0).path("text").asText(), "the text the session got");
            assertServes(client, 0);
        }
    }

    @ParameterizedTest(name = "sent {0}")
    @ValueSource(strings = {"as one frame", "in fragments"})
    void a_large_binary_message_gets_one_error_and_the_session_keeps_working(String how) throws Exception {
        byte[] bytes = new byte[20 << 20];
        try (RealtimeClient client = broker.connect()) {
            client.next();
            if (how.equals("in fragments")) {
                client.sendBinaryFragmented(bytes, 1 << 20);
            } else {
                client.sendBinary(bytes);
            }
            assertEquals("binary_frame_not_supported", client.next().path("error").path("code").asText());
            assertStillServes(client);
        }
    }

    private static void send(RealtimeClient client, String message, String how) throws Exception {
        if (how.equals("in fragments")) {
            client.sendFragmented(message, 256 * 1024);
        } else {
            client.send(message);
        }
    }

    private static void assertFrameTooLarge(JsonNode error) {
        assertEquals("frame_too_large", error.path("error").path("code").asText(), error::toString);
        assertTrue(error.path("error").path("event_id").isMissingNode(), error::toString);
    }

    @Test
    void the_error_names_the_client_event_that_caused_it() throws Exception {
        try (RealtimeClient client = broker.connect()) {
            client.next();
            client.send("{\"type\":\"conversation.item.create\",\"event_id\":\"mine\",\"item\":\"oops\"}");
            JsonNode error = client.next();
            assertEquals("mine", error.path("error").path("event_id").asText());
            assertEquals("invalid_value", error.path("error").path("code").asText());
        }
    }

    /** After one bad input: the session answers normally, and that input got exactly one error. */
    private static void assertStillServes(RealtimeClient client) throws Exception {
        assertServes(client, 1);
    }

    private static void assertServes(RealtimeClient client, int errors) throws Exception {
        client.send(RealtimeClient.userMessage("still there?"));
        client.until("conversation.item.done");
        client.send(RealtimeClient.responseCreate("ok", "{\"sim_tokens\":\"3\",\"sim_ttft_ms\":\"0\"}"));
        List<JsonNode> response = client.until("response.done");
        assertEquals("completed", response.get(response.size() - 1).path("response").path("status").asText());
        List<JsonNode> received = client.received();
        SeqAssert.contiguousFromOne(received);
        // A second error for one bad input (say, one per fragment) would be among these.
        List<String> types = received.stream().map(e -> e.path("type").asText()).toList();
        assertEquals(errors, types.stream().filter("error"::equals).count(), types::toString);
    }
}
