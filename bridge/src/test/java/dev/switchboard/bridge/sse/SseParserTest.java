package dev.switchboard.bridge.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SseParserTest {
    private static final int LIMIT = 64 * 1024;

    /** A transcript mixing every feature: comments, fields, multi-line data, CRLF and multi-byte characters. */
    private static final String TRANSCRIPT = ""
            + ": keep-alive\r\n"
            + "\r\n"
            + "event: message_start\r\n"
            + "id: 1\r\n"
            + "data: {\"text\":\"héllo wörld\"}\r\n"
            + "\r\n"
            + "data: 日本語のテキスト\n"
            + "data: second line 🎉🎉\n"
            + "\n"
            + "retry: 1000\r"
            + "data: emoji at the edge 👩‍💻\r"
            + "\r"
            + ":heartbeat\n"
            + "event: done\n"
            + "id: 2\n"
            + "data: [DONE]\n"
            + "\n";

    private static final List<SseEvent> EXPECTED = List.of(
            new SseEvent("message_start", "{\"text\":\"héllo wörld\"}", "1"),
            new SseEvent("message", "日本語のテキスト\nsecond line 🎉🎉", "1"),
            new SseEvent("message", "emoji at the edge 👩‍💻", "1"),
            new SseEvent("done", "[DONE]", "2"));

    private static List<SseEvent> parse(String text) {
        return parseChunks(List.of(text.getBytes(StandardCharsets.UTF_8)), LIMIT);
    }

    private static List<SseEvent> parseChunks(List<byte[]> chunks, int limit) {
        SseParser parser = new SseParser(limit);
        List<SseEvent> events = new ArrayList<>();
        boolean direct = false;
        for (byte[] chunk : chunks) {
            // Heap and direct buffers in turn (Jetty's are direct), the direct ones not starting at 0.
            ByteBuffer buffer = direct ? ByteBuffer.allocateDirect(chunk.length + 3).put(new byte[3]).put(chunk)
                    .flip().position(3) : ByteBuffer.wrap(chunk);
            direct = !direct;
            parser.feed(buffer, events::add);
            assertFalse(buffer.hasRemaining(), "feed must consume the whole buffer");
        }
        return events;
    }

    private static List<byte[]> split(byte[] bytes, int... cuts) {
        List<byte[]> chunks = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            chunks.add(Arrays.copyOfRange(bytes, from, cut));
            from = cut;
        }
        chunks.add(Arrays.copyOfRange(bytes, from, bytes.length));
        return chunks;
    }

    @Test
    void the_whole_transcript_in_one_buffer_gives_the_expected_events() {
        assertEquals(EXPECTED, parse(TRANSCRIPT));
    }

    @Test
    void feeding_one_byte_at_a_time_gives_the_same_events() {
        byte[] bytes = TRANSCRIPT.getBytes(StandardCharsets.UTF_8);
        List<byte[]> chunks = new ArrayList<>();
        for (byte b : bytes) {
            chunks.add(new byte[] {b});
        }
        assertEquals(EXPECTED, parseChunks(chunks, LIMIT));
    }

    @Test
    void splitting_at_every_byte_boundary_gives_the_same_events() {
        byte[] bytes = TRANSCRIPT.getBytes(StandardCharsets.UTF_8);
        for (int cut = 0; cut <= bytes.length; cut++) {
            assertEquals(EXPECTED, parseChunks(split(bytes, cut), LIMIT), "split at byte " + cut);
        }
    }

    @Test
    void random_chunk_sizes_give_the_same_events() {
        byte[] bytes = TRANSCRIPT.getBytes(StandardCharsets.UTF_8);
        for (long seed = 0; seed < 500; seed++) {
            Random random = new Random(seed);
            List<byte[]> chunks = new ArrayList<>();
            int from = 0;
            while (from < bytes.length) {
                int size = Math.min(bytes.length - from, random.nextInt(12));
                chunks.add(Arrays.copyOfRange(bytes, from, from + size));
                from += size;
            }
            assertEquals(EXPECTED, parseChunks(chunks, LIMIT), "random chunks with seed " + seed);
        }
    }

    @Test
    void a_multi_byte_character_split_inside_its_bytes_is_decoded_whole() {
        byte[] bytes = "data: a€b😀c\n\n".getBytes(StandardCharsets.UTF_8);
        int euro = "data: a".length();
        int smiley = euro + 3 + 1;
        List<byte[]> chunks = split(bytes, euro + 1, euro + 2, smiley + 1, smiley + 2, smiley + 3);
        assertEquals(List.of(new SseEvent("message", "a€b😀c", "")), parseChunks(chunks, LIMIT));
    }

    @ParameterizedTest(name = "line ending {0}")
    @ValueSource(strings = {"LF", "CRLF", "CR"})
    void lf_crlf_and_cr_line_endings_are_equivalent(String ending) {
        String eol = ending.equals("LF") ? "\n" : ending.equals("CRLF") ? "\r\n" : "\r";
        String text = "event: a" + eol + "data: one" + eol + "data: two" + eol + eol + "data: three" + eol + eol;
        assertEquals(List.of(new SseEvent("a", "one\ntwo", ""), new SseEvent("message", "three", "")), parse(text));
    }

    @Test
    void a_crlf_pair_split_across_buffers_ends_one_line_not_two() {
        byte[] bytes = "data: a\r\ndata: b\r\n\r\n".getBytes(StandardCharsets.UTF_8);
        int afterFirstCr = "data: a\r".length();
        assertEquals(List.of(new SseEvent("message", "a\nb", "")), parseChunks(split(bytes, afterFirstCr), LIMIT));
    }

    @Test
    void data_lines_are_joined_with_newlines_keeping_empty_lines() {
        assertEquals(List.of(new SseEvent("message", "first\n\nthird", "")),
                parse("data: first\ndata\ndata: third\n\n"));
    }

    @Test
    void only_one_space_after_the_colon_is_removed() {
        assertEquals(List.of(new SseEvent("message", " two spaces", ""), new SseEvent("message", "none", "")),
                parse("data:  two spaces\n\ndata:none\n\n"));
    }

    @Test
    void comments_and_heartbeats_produce_no_events_and_do_not_split_an_event() {
        assertEquals(List.of(), parse(": ping\n\n:\n\n: keep-alive\r\n\r\n"));
        assertEquals(List.of(new SseEvent("message", "a\nb", "")), parse("data: a\n: in between\ndata: b\n\n"));
    }

    @Test
    void an_empty_line_without_data_dispatches_nothing_and_resets_the_event_type() {
        assertEquals(List.of(new SseEvent("message", "x", "")), parse("event: orphan\n\ndata: x\n\n"));
    }

    @Test
    void the_event_type_applies_to_one_event_only_while_the_id_persists() {
        assertEquals(List.of(new SseEvent("delta", "1", "7"), new SseEvent("message", "2", "7"),
                        new SseEvent("message", "3", "8")),
                parse("event: delta\nid: 7\ndata: 1\n\ndata: 2\n\nid: 8\ndata: 3\n\n"));
    }

    @Test
    void an_id_containing_nul_is_ignored() {
        assertEquals(List.of(new SseEvent("message", "x", "1")), parse("id: 1\n\nid: a\0b\ndata: x\n\n"));
    }

    @Test
    void retry_and_unknown_fields_are_ignored() {
        assertEquals(List.of(new SseEvent("message", "x", "")), parse("retry: 10\nfoo: bar\nDATA: no\ndata: x\n\n"));
    }

    @Test
    void a_leading_byte_order_mark_is_skipped() {
        assertEquals(List.of(new SseEvent("message", "x", "")), parse("\uFEFFdata: x\n\n"));
        byte[] bytes = "\uFEFFdata: x\n\n".getBytes(StandardCharsets.UTF_8);
        assertEquals(List.of(new SseEvent("message", "x", "")), parseChunks(split(bytes, 1, 2), LIMIT));
    }

    @Test
    void an_unterminated_event_is_held_until_its_blank_line_arrives() {
        SseParser parser = new SseParser(LIMIT);
        List<SseEvent> events = new ArrayList<>();
        assertTrue(parser.isIdle());
        parser.feed(ByteBuffer.wrap("data: partial".getBytes(StandardCharsets.UTF_8)), events::add);
        assertFalse(parser.isIdle());
        parser.feed(ByteBuffer.wrap("\n".getBytes(StandardCharsets.UTF_8)), events::add);
        assertEquals(List.of(), events);
        assertFalse(parser.isIdle());
        parser.feed(ByteBuffer.wrap("\n".getBytes(StandardCharsets.UTF_8)), events::add);
        assertEquals(List.of(new SseEvent("message", "partial", "")), events);
        assertTrue(parser.isIdle());
    }

    @Test
    void a_line_at_the_limit_is_accepted() {
        int limit = 1024;
        String line = "data: " + "x".repeat(limit - "data: ".length());
        List<SseEvent> events = parseChunks(List.of((line + "\n\n").getBytes(StandardCharsets.UTF_8)), limit);
        assertEquals(1, events.size());
    }

    @ParameterizedTest(name = "limit {0} bytes")
    @ValueSource(ints = {16, 255, 256, 1000, 1024, 4096})
    void a_line_over_the_limit_throws(int limit) {
        String line = "data: " + "y".repeat(limit + 1 - "data: ".length());
        byte[] bytes = (line + "\n\n").getBytes(StandardCharsets.UTF_8);
        assertThrows(SseFormatException.class, () -> parseChunks(List.of(bytes), limit));
    }

    @Test
    void a_line_over_the_limit_throws_when_it_arrives_in_small_pieces() {
        int limit = 1000;
        SseParser parser = new SseParser(limit);
        byte[] piece = "0123456789".getBytes(StandardCharsets.UTF_8);
        List<SseEvent> events = new ArrayList<>();
        assertThrows(SseFormatException.class, () -> {
            for (int i = 0; i < 200; i++) {
                parser.feed(ByteBuffer.wrap(piece), events::add);
            }
        });
        assertEquals(List.of(), events);
    }

    @Test
    void the_limit_counts_bytes_not_characters() {
        int limit = 300;
        String line = "data: " + "€".repeat(100);
        byte[] bytes = (line + "\n\n").getBytes(StandardCharsets.UTF_8);
        assertTrue(bytes.length > limit && line.length() < limit);
        assertThrows(SseFormatException.class, () -> parseChunks(List.of(bytes), limit));
    }

    @Test
    void many_short_lines_never_reach_the_limit() {
        int limit = 64;
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            text.append("data: ").append(i).append("\n\n");
        }
        assertEquals(1000, parseChunks(List.of(text.toString().getBytes(StandardCharsets.UTF_8)), limit).size());
    }
}
