package dev.switchboard.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ServerFrameReaderTest {
    private final ServerFrameReader reader = new ServerFrameReader();
    private final ParsedFrame frame = new ParsedFrame();

    private boolean read(String json) {
        // Read from the middle of a larger array, as the WebSocket payload arrives.
        byte[] bytes = ("####" + json + "####").getBytes(StandardCharsets.UTF_8);
        return reader.read(bytes, 4, bytes.length - 8, frame);
    }

    @Test
    void a_stamped_delta_yields_type_seq_response_id_and_stamp() {
        assertTrue(read("{\"type\":\"response.output_text.delta\",\"response_id\":\"resp_1\",\"item_id\":\"i\","
                + "\"output_index\":0,\"content_index\":0,\"delta\":\"[[t=1700000000000001]]Ünïcode ✓\","
                + "\"event_id\":\"e\",\"seq\":42}"));
        assertEquals(EventKind.TEXT_DELTA, frame.kind);
        assertEquals(42, frame.seq);
        assertEquals("resp_1", frame.responseId);
        assertEquals(1700000000000001L, frame.stampMicros);
        assertEquals("Ünïcode ✓".length(), frame.deltaChars);
    }

    @Test
    void response_done_yields_id_status_and_reason_and_skips_the_output() {
        assertTrue(read("{\"type\":\"response.done\",\"response\":{\"object\":\"realtime.response\",\"id\":\"resp_9\","
                + "\"status\":\"failed\",\"status_details\":{\"type\":\"failed\",\"error\":{\"type\":\"x\","
                + "\"code\":\"upstream_rejected\"}},\"output\":[{\"content\":[{\"text\":\"delta\",\"seq\":3}]}],"
                + "\"metadata\":{\"seq\":\"1\"}},\"event_id\":\"e\",\"seq\":9}"));
        assertEquals(EventKind.RESPONSE_DONE, frame.kind);
        assertEquals("resp_9", frame.responseId);
        assertEquals("failed", frame.status);
        assertEquals("upstream_rejected", frame.statusReason);
        assertEquals(9, frame.seq);
        assertEquals(Stamp.NONE, frame.stampMicros);
    }

    @Test
    void session_created_and_session_resumed_yield_the_resume_token_and_the_position() {
        assertTrue(read("{\"type\":\"session.created\",\"event_id\":\"e\",\"seq\":1,\"resume_token\":\"rt1.abc\","
                + "\"session\":{\"id\":\"sess_1\",\"model\":\"sim-chat\"}}"));
        assertEquals(EventKind.SESSION_CREATED, frame.kind);
        assertEquals("rt1.abc", frame.resumeToken);

        assertTrue(read("{\"type\":\"session.resumed\",\"event_id\":\"e\",\"session_id\":\"sess_1\","
                + "\"resume_token\":\"rt1.def\",\"last_seq\":41,\"next_seq\":42}"));
        assertEquals(EventKind.SESSION_RESUMED, frame.kind);
        assertEquals(-1, frame.seq, "connection-level: no seq");
        assertEquals("rt1.def", frame.resumeToken);
        assertEquals(41, frame.lastSeq);
    }

    @Test
    void a_digesting_reader_digests_deltas_and_the_done_text_alike() {
        ServerFrameReader digesting = new ServerFrameReader(true);
        TextDigest deltas = new TextDigest();
        for (String delta : new String[] {"Ünï", "code", " ✓\\n"}) {
            byte[] bytes = ("{\"type\":\"response.output_text.delta\",\"delta\":\"" + delta + "\",\"seq\":3}")
                    .getBytes(StandardCharsets.UTF_8);
            assertTrue(digesting.read(bytes, 0, bytes.length, frame));
            deltas.add(frame.text);
        }
        byte[] done = "{\"type\":\"response.output_text.done\",\"seq\":9,\"text\":\"Ünïcode ✓\\n\"}"
                .getBytes(StandardCharsets.UTF_8);
        assertTrue(digesting.read(done, 0, done.length, frame));
        assertEquals(EventKind.TEXT_DONE, frame.kind);
        assertTrue(deltas.sameAs(frame.text));
        assertEquals("Ünïcode ✓\n".length(), frame.text.length());

        assertTrue(read(new String(done, StandardCharsets.UTF_8)));
        assertEquals(0, frame.text.length(), "the default reader leaves text alone");
    }

    @Test
    void an_error_yields_code_message_and_the_client_event_id() {
        assertTrue(read("{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"code\":"
                + "\"response_cancel_not_active\",\"message\":\"no\",\"param\":null,\"event_id\":\"lt_cancel\"},"
                + "\"event_id\":\"e\",\"seq\":4}"));
        assertEquals(EventKind.ERROR, frame.kind);
        assertEquals("response_cancel_not_active", frame.errorCode);
        assertEquals("no", frame.errorMessage);
        assertEquals("lt_cancel", frame.errorEventId);
    }

    @Test
    void an_unknown_event_without_seq_is_other_with_no_seq() {
        assertTrue(read("{\"type\":\"response.content_part.added\",\"part\":{\"type\":\"text\"}}"));
        assertEquals(EventKind.OTHER, frame.kind);
        assertEquals(-1, frame.seq);
    }

    @Test
    void a_previous_frame_leaves_nothing_behind() {
        read("{\"type\":\"error\",\"error\":{\"code\":\"x\"},\"seq\":1}");
        read("{\"type\":\"session.created\",\"seq\":2}");
        assertEquals(EventKind.SESSION_CREATED, frame.kind);
        assertEquals("", frame.errorCode);
    }

    @Test
    void malformed_json_or_a_non_object_is_refused() {
        assertFalse(read("[1,2]"));
        assertFalse(read("{\"type\":"));
        assertFalse(read("not json"));
    }
}
