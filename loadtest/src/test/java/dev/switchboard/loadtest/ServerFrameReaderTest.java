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
        assertTrue(read("{\"type\":\"rate_limits.updated\",\"rate_limits\":[{\"name\":\"requests\"}]}"));
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
