package dev.switchboard.loadtest.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SseScannerTest {
    private static final String STREAM = ""
            + "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n"
            + ": keep-alive\n\n"
            + "id: resp_1.7\r\n"
            + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"The\"}}]}\r\n\r\n"
            + "data:{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\\\"quoted\\\"\"}}]}\n\n"
            + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" end\"}}]}\n\n"
            + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
            + "data: [DONE]\n\n";

    @Test
    void counts_one_token_per_data_event_with_non_empty_content_and_sees_done() {
        SseScanner scanner = new SseScanner();
        assertEquals(3, scanner.feed(bytes(STREAM)));
        assertTrue(scanner.done());
        assertFalse(scanner.error());
    }

    @Test
    void gives_the_same_count_whatever_the_stream_is_cut_into() {
        byte[] all = STREAM.getBytes(StandardCharsets.UTF_8);
        for (int piece = 1; piece <= 17; piece++) {
            SseScanner scanner = new SseScanner();
            int tokens = 0;
            for (int at = 0; at < all.length; at += piece) {
                tokens += scanner.feed(ByteBuffer.wrap(all, at, Math.min(piece, all.length - at)));
            }
            assertEquals(3, tokens, "pieces of " + piece);
            assertTrue(scanner.done(), "pieces of " + piece);
        }
    }

    @Test
    void a_line_not_yet_ended_is_not_counted_until_its_newline_arrives() {
        SseScanner scanner = new SseScanner();
        assertEquals(0, scanner.feed(bytes("data: {\"delta\":{\"content\":\"x\"}}")));
        assertEquals(1, scanner.feed(bytes("\n")));
        assertFalse(scanner.done());
    }

    @Test
    void an_in_band_error_is_reported_and_is_no_token() {
        SseScanner scanner = new SseScanner();
        assertEquals(0, scanner.feed(bytes("data: {\"error\":{\"message\":\"x\",\"content\":\"y\"}}\n\n")));
        assertTrue(scanner.error());
        assertFalse(scanner.done());
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }
}
