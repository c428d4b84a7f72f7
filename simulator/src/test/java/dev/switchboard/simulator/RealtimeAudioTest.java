package dev.switchboard.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RealtimeAudioTest {

    private static WebSocketClient ws;
    private ProviderSimulator simulator;
    private RealtimeTestClient client;

    @BeforeAll
    static void startClient() throws Exception {
        ws = new WebSocketClient();
        ws.start();
    }

    @AfterAll
    static void stopClient() throws Exception {
        ws.stop();
    }

    @BeforeEach
    void connect() throws Exception {
        simulator = ProviderSimulator.start(SimulatorConfig.loopbackEphemeral());
        client = RealtimeTestClient.connect(ws, simulator);
        client.expect("session.created");
    }

    @AfterEach
    void stop() {
        client.close();
        simulator.close();
    }

    @Test
    void an_audio_response_streams_a_transcript_and_speech_of_matching_length() throws Exception {
        updateSession(audioOutput("audio/pcm"));
        client.send(RealtimeTestClient.userText("Say something"));
        client.send(RealtimeTestClient.responseCreate(RealtimeTextResponseTest.fast(12)));

        List<JsonNode> frames = client.until("response.done");

        List<String> types = RealtimeTestClient.types(frames);
        assertEquals(List.of("response.output_audio.done", "response.output_audio_transcript.done",
                "response.content_part.done", "response.output_item.done", "conversation.item.done", "response.done"),
                types.subList(types.size() - 6, types.size()));
        JsonNode partAdded = frames.get(types.indexOf("response.content_part.added")).path("part");
        assertEquals("{\"type\":\"audio\",\"transcript\":\"\"}", partAdded.toString());
        assertEquals("response.output_audio_transcript.delta", types.get(types.indexOf("response.content_part.added")
                + 1), "the transcript of a token comes before its audio");
        String transcript = RealtimeTestClient.deltas(frames, "response.output_audio_transcript.delta");
        assertEquals(transcript, frames.get(types.indexOf("response.output_audio_transcript.done"))
                .path("transcript").asText());
        byte[] audio = audio(frames);
        assertEquals(transcript.length() * 60 * 48, audio.length, "60 ms of 24 kHz 16-bit audio per character");
        for (JsonNode frame : frames) {
            if (frame.path("type").asText().equals("response.output_audio.delta")) {
                int ms = Base64.getDecoder().decode(frame.path("delta").asText()).length / 48;
                assertTrue(ms >= 20 && ms <= 100, "chunk of " + ms + " ms");
            }
        }
        JsonNode done = frames.get(frames.size() - 1).path("response");
        assertEquals("[\"audio\"]", done.path("output_modalities").toString());
        JsonNode content = done.path("output").path(0).path("content").path(0);
        assertEquals("output_audio", content.path("type").asText());
        assertEquals(transcript, content.path("transcript").asText());
        assertEquals(12, done.path("usage").path("output_tokens").asInt());
        assertEquals(textAnswer("Say something", 12), transcript, "the transcript is the deterministic text");
        assertEquals(audio.length, simulator.stats().audioBytesOut());
    }

    @Test
    void g711_output_is_eight_kilohertz_with_one_byte_a_sample() throws Exception {
        for (String format : new String[] {"audio/pcmu", "audio/pcma"}) {
            updateSession(audioOutput(format));
            client.send(RealtimeTestClient.responseCreate(RealtimeTextResponseTest.fast(6)));

            List<JsonNode> frames = client.until("response.done");

            String transcript = RealtimeTestClient.deltas(frames, "response.output_audio_transcript.delta");
            byte[] audio = audio(frames);
            assertEquals(transcript.length() * 60 * 8, audio.length, format);
            AudioFormat decoded = format.equals("audio/pcmu") ? AudioFormat.PCMU : AudioFormat.PCMA;
            int firstLetter = firstLetterIndex(transcript);
            double rms = TestAudio.rms(audio, decoded, firstLetter * 480, firstLetter * 480 + 480);
            assertEquals(0.3 / Math.sqrt(2), rms, 0.01, "a letter is a 0.3 full-scale tone in " + format);
        }
    }

    @Test
    void a_response_can_ask_for_audio_in_a_text_session() throws Exception {
        ObjectNode create = RealtimeTestClient.responseCreate(RealtimeTextResponseTest.fast(3));
        ((ObjectNode) create.path("response")).putArray("output_modalities").add("audio");
        client.send(create);

        List<String> types = RealtimeTestClient.types(client.until("response.done"));

        assertTrue(types.contains("response.output_audio.delta"));
        assertFalse(types.contains("response.output_text.delta"));
    }

    @Test
    void a_committed_input_buffer_becomes_a_user_audio_item_and_an_empty_one_is_an_error() throws Exception {
        client.send(RealtimeTestClient.event("input_audio_buffer.commit").put("event_id", "evt_empty"));
        JsonNode empty = client.expect("error").path("error");
        client.send(TestAudio.append(TestAudio.tone(300, 440, 0.3, AudioFormat.PCM)));
        client.send(TestAudio.append(TestAudio.silence(200, AudioFormat.PCM)));
        client.send(RealtimeTestClient.event("input_audio_buffer.commit"));

        JsonNode committed = client.expect("input_audio_buffer.committed");
        JsonNode added = client.expect("conversation.item.added");
        client.expect("conversation.item.done");

        assertEquals("input_audio_buffer_commit_empty", empty.path("code").asText());
        assertEquals("evt_empty", empty.path("event_id").asText());
        String itemId = committed.path("item_id").asText();
        assertTrue(committed.path("previous_item_id").isNull());
        assertEquals(itemId, added.path("item").path("id").asText());
        assertEquals("user", added.path("item").path("role").asText());
        assertEquals("{\"type\":\"input_audio\",\"transcript\":null}",
                added.path("item").path("content").path(0).toString());
        assertEquals(500 * 48, simulator.stats().audioBytesIn(), "500 ms of PCM counted");
    }

    @Test
    void the_same_audio_gets_the_same_answer_and_other_audio_another() throws Exception {
        String first = answerTo(TestAudio.tone(400, 440, 0.3, AudioFormat.PCM));
        String again = answerTo(TestAudio.tone(400, 440, 0.3, AudioFormat.PCM));
        String other = answerTo(TestAudio.tone(400, 660, 0.3, AudioFormat.PCM));

        assertEquals(first, again);
        assertNotEquals(first, other);
    }

    @Test
    void clear_empties_the_buffer() throws Exception {
        client.send(TestAudio.append(TestAudio.tone(300, 440, 0.3, AudioFormat.PCMU)));
        client.send(RealtimeTestClient.event("input_audio_buffer.clear"));
        client.expect("input_audio_buffer.cleared");
        client.send(RealtimeTestClient.event("input_audio_buffer.commit"));

        assertEquals("input_audio_buffer_commit_empty", client.expect("error").path("error").path("code").asText());
    }

    @Test
    void bad_audio_payloads_are_errors() throws Exception {
        client.send(RealtimeTestClient.event("input_audio_buffer.append").put("audio", "not base64!"));
        JsonNode notBase64 = client.expect("error").path("error");
        client.send(TestAudio.append(new byte[] {1, 2, 3}));
        JsonNode halfSample = client.expect("error").path("error");
        client.send(RealtimeTestClient.event("input_audio_buffer.append"));
        JsonNode missing = client.expect("error").path("error");
        client.send(RealtimeTestClient.event("input_audio_buffer.append").put("audio", ""));
        JsonNode empty = client.expect("error").path("error");

        assertEquals("audio", notBase64.path("param").asText());
        assertEquals("invalid_value", notBase64.path("code").asText());
        assertEquals("invalid_value", halfSample.path("code").asText());
        assertEquals("missing_required_parameter", missing.path("code").asText());
        assertEquals("invalid_value", empty.path("code").asText());
    }

    @Test
    void truncate_cuts_an_audio_item_and_refuses_what_it_cannot_cut() throws Exception {
        updateSession(audioOutput("audio/pcm"));
        client.send(RealtimeTestClient.responseCreate(RealtimeTextResponseTest.fast(8)));
        List<JsonNode> frames = client.until("response.done");
        JsonNode item = frames.get(frames.size() - 1).path("response").path("output").path(0);
        String itemId = item.path("id").asText();
        int audioMs = item.path("content").path(0).path("transcript").asText().length() * 60;

        client.send(truncate(itemId, 0, audioMs + 1));
        JsonNode tooLong = client.expect("error").path("error");
        client.send(truncate("item_nope", 0, 10));
        JsonNode unknown = client.expect("error").path("error");
        client.send(truncate(itemId, 1, 10));
        JsonNode noPart = client.expect("error").path("error");
        client.send(truncate(itemId, 0, 130));
        JsonNode truncated = client.expect("conversation.item.truncated");

        assertEquals("audio_end_ms", tooLong.path("param").asText());
        assertEquals("item_not_found", unknown.path("code").asText());
        assertEquals("content_index", noPart.path("param").asText());
        assertEquals(itemId, truncated.path("item_id").asText());
        assertEquals(0, truncated.path("content_index").asInt());
        assertEquals(130, truncated.path("audio_end_ms").asInt());
        assertEquals(1, simulator.stats().truncations());
    }

    @Test
    void a_cancelled_audio_response_finishes_its_part_and_can_be_truncated_to_what_was_played() throws Exception {
        updateSession(audioOutput("audio/pcm"));
        client.send(RealtimeTestClient.responseCreate(Map.of("sim_ttft_ms", "0", "sim_tokens_per_second", "100000",
                "sim_audio_speed", "1", "sim_tokens", "500")));
        List<JsonNode> before = client.until("response.output_audio.delta");
        String itemId = before.get(1).path("item").path("id").asText();
        client.send(RealtimeTestClient.event("response.cancel"));
        List<JsonNode> rest = client.until("response.done");

        List<String> types = RealtimeTestClient.types(rest);
        assertEquals(List.of("response.output_audio.done", "response.output_audio_transcript.done",
                "response.content_part.done", "response.output_item.done", "conversation.item.done", "response.done"),
                types.subList(types.size() - 6, types.size()));
        JsonNode item = rest.get(rest.size() - 1).path("response").path("output").path(0);
        assertEquals("incomplete", item.path("status").asText());
        int spokenMs = item.path("content").path(0).path("transcript").asText().length() * 60;
        client.send(truncate(itemId, 0, spokenMs));
        assertEquals(spokenMs, client.expect("conversation.item.truncated").path("audio_end_ms").asInt());
    }

    @Test
    void audio_is_generated_ten_times_faster_than_real_time_unless_a_knob_says_otherwise() throws Exception {
        client.send(RealtimeTestClient.responseCreate(Map.of("sim_audio_speed", "0.01")));
        JsonNode error = client.expect("error").path("error");

        assertEquals("response.metadata.sim_audio_speed", error.path("param").asText());
        SimKnobs defaults = new SimKnobs(java.util.OptionalInt.empty(), 0, 40, false);
        assertEquals(100_000, defaults.nanosPerAudioMs(), "0.1 ms of generation per ms of audio");
    }

    private void updateSession(ObjectNode session) throws Exception {
        ObjectNode update = RealtimeTestClient.event("session.update");
        update.set("session", session.put("type", "realtime"));
        client.send(update);
        client.expect("session.updated");
    }

    static ObjectNode audioOutput(String format) {
        ObjectNode session = SimulatorHttpClient.JSON.createObjectNode();
        session.putArray("output_modalities").add("audio");
        session.putObject("audio").putObject("output").putObject("format").put("type", format);
        return session;
    }

    static ObjectNode truncate(String itemId, int contentIndex, int audioEndMs) {
        return RealtimeTestClient.event("conversation.item.truncate").put("item_id", itemId)
                .put("content_index", contentIndex).put("audio_end_ms", audioEndMs);
    }

    /** Every {@code response.output_audio.delta} among {@code frames}, decoded and joined. */
    static byte[] audio(List<JsonNode> frames) {
        ByteArrayOutputStream audio = new ByteArrayOutputStream();
        for (JsonNode frame : frames) {
            if (frame.path("type").asText().equals("response.output_audio.delta")) {
                audio.writeBytes(Base64.getDecoder().decode(frame.path("delta").asText()));
            }
        }
        return audio.toByteArray();
    }

    private static int firstLetterIndex(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isLetter(text.charAt(i))) {
                return i;
            }
        }
        throw new AssertionError("no letter in " + text);
    }

    /** The text a fresh text session answers {@code question} with. */
    private String textAnswer(String question, int tokens) throws Exception {
        try (RealtimeTestClient other = RealtimeTestClient.connect(ws, simulator)) {
            other.expect("session.created");
            other.send(RealtimeTestClient.userText(question));
            other.send(RealtimeTestClient.responseCreate(RealtimeTextResponseTest.fast(tokens)));
            return RealtimeTestClient.deltas(other.until("response.done"), "response.output_text.delta");
        }
    }

    /** What a fresh session answers to one committed turn of {@code audio}. */
    private String answerTo(byte[] audio) throws Exception {
        try (RealtimeTestClient other = RealtimeTestClient.connect(ws, simulator)) {
            other.expect("session.created");
            other.send(TestAudio.append(audio));
            other.send(RealtimeTestClient.event("input_audio_buffer.commit"));
            other.send(RealtimeTestClient.responseCreate(RealtimeTextResponseTest.fast(10)));
            return RealtimeTestClient.deltas(other.until("response.done"), "response.output_text.delta");
        }
    }
}
