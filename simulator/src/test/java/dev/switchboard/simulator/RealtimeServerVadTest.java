package dev.switchboard.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RealtimeServerVadTest {

    /** Knobs for responses server VAD starts, which have no metadata of their own: they come from the header. */
    private static final String HEADER_KNOBS = "{\"sim_ttft_ms\":\"0\",\"sim_tokens_per_second\":\"100000\","
            + "\"sim_tokens\":\"4\",\"sim_audio_speed\":\"1000000\"}";
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
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        request.setHeader(MetadataHeader.NAME, HEADER_KNOBS);
        client = RealtimeTestClient.connect(ws, RealtimeTestClient.uri(simulator, "", SimulatorModels.SIM_REALTIME),
                request);
        client.expect("session.created");
    }

    @AfterEach
    void stop() {
        client.close();
        simulator.close();
    }

    @Test
    void speech_then_silence_is_detected_committed_and_answered() throws Exception {
        enableVad(AudioFormat.PCM, true, true);
        client.send(TestAudio.append(VoiceActivityDetectorTest.utterance(AudioFormat.PCM)));

        List<JsonNode> frames = client.until("response.done");

        assertEquals(List.of("input_audio_buffer.speech_started", "input_audio_buffer.speech_stopped",
                "input_audio_buffer.committed", "conversation.item.added", "conversation.item.done",
                "response.created"), RealtimeTestClient.types(frames).subList(0, 6));
        JsonNode started = frames.get(0);
        String itemId = started.path("item_id").asText();
        assertEquals(100, started.path("audio_start_ms").asLong(), "speech at 400 ms minus 300 ms of padding");
        assertEquals(1400, frames.get(1).path("audio_end_ms").asLong(), "tone ends at 900 ms, plus 500 ms silence");
        assertEquals(itemId, frames.get(1).path("item_id").asText());
        assertEquals(itemId, frames.get(2).path("item_id").asText());
        assertEquals(itemId, frames.get(3).path("item").path("id").asText());
        assertEquals("input_audio", frames.get(3).path("item").path("content").path(0).path("type").asText());
        JsonNode done = frames.get(frames.size() - 1).path("response");
        assertEquals("completed", done.path("status").asText());
        assertEquals(4, done.path("usage").path("output_tokens").asInt(), "knobs from x-switchboard-metadata");
        assertEquals(1, simulator.stats().speechStarted());
    }

    @Test
    void small_appends_give_the_same_events_as_one_big_append_in_g711() throws Exception {
        enableVad(AudioFormat.PCMA, false, true);
        byte[] audio = VoiceActivityDetectorTest.utterance(AudioFormat.PCMA);
        for (int from = 0; from < audio.length; from += 160) {
            client.send(TestAudio.append(Arrays.copyOfRange(audio, from, Math.min(audio.length, from + 160))));
        }

        List<JsonNode> frames = client.until("conversation.item.done");

        assertEquals(100, frames.get(0).path("audio_start_ms").asLong());
        assertEquals(1400, frames.get(1).path("audio_end_ms").asLong());
        assertNull(client.poll(Duration.ofMillis(200)), "create_response false: no response");
    }

    @Test
    void speech_interrupts_an_active_response_and_the_turn_gets_a_new_one() throws Exception {
        enableVad(AudioFormat.PCM, true, true);
        client.send(RealtimeTestClient.userText("Talk at length"));
        client.send(RealtimeTestClient.responseCreate(Map.of("sim_ttft_ms", "0", "sim_tokens_per_second", "20",
                "sim_tokens", "2000")));
        client.until("response.output_text.delta");

        client.send(TestAudio.append(VoiceActivityDetectorTest.utterance(AudioFormat.PCM)));
        List<JsonNode> frames = client.until(f -> f.path("type").asText().equals("response.done")
                && f.path("response").path("status").asText().equals("cancelled"));
        List<JsonNode> next = client.until("response.done");

        JsonNode cancelled = frames.get(frames.size() - 1).path("response");
        assertEquals("turn_detected", cancelled.path("status_details").path("reason").asText());
        List<String> types = RealtimeTestClient.types(frames);
        assertEquals(types.indexOf("input_audio_buffer.speech_started") + 1,
                types.indexOf("response.output_text.done"), "the response is cut right after speech starts");
        assertEquals("completed", next.get(next.size() - 1).path("response").path("status").asText());
        assertEquals(1, simulator.stats().realtimeResponsesCancelled());
    }

    @Test
    void with_interrupt_response_off_speech_lets_the_response_finish() throws Exception {
        enableVad(AudioFormat.PCM, false, false);
        client.send(RealtimeTestClient.userText("Keep going"));
        client.send(RealtimeTestClient.responseCreate(Map.of("sim_ttft_ms", "0", "sim_tokens_per_second", "200",
                "sim_tokens", "60")));
        client.until("response.output_text.delta");

        client.send(TestAudio.append(TestAudio.tone(200, 440, 0.3, AudioFormat.PCM)));
        List<JsonNode> frames = client.until("response.done");

        assertEquals("completed", frames.get(frames.size() - 1).path("response").path("status").asText());
        assertEquals(1, frames.stream().filter(f -> f.path("type").asText()
                .equals("input_audio_buffer.speech_started")).count());
    }

    @Test
    void semantic_vad_is_refused_with_an_error() throws Exception {
        ObjectNode update = RealtimeTestClient.event("session.update");
        update.putObject("session").put("type", "realtime").putObject("audio").putObject("input")
                .putObject("turn_detection").put("type", "semantic_vad");
        client.send(update);

        assertEquals("session.audio.input.turn_detection.type",
                client.expect("error").path("error").path("param").asText());
    }

    private void enableVad(AudioFormat format, boolean createResponse, boolean interruptResponse)
            throws Exception {
        ObjectNode update = RealtimeTestClient.event("session.update");
        ObjectNode input = update.putObject("session").put("type", "realtime").putObject("audio").putObject("input");
        input.putObject("format").put("type", format.wireName());
        input.putObject("turn_detection").put("type", "server_vad").put("threshold", 0.5)
                .put("prefix_padding_ms", 300).put("silence_duration_ms", 500)
                .put("create_response", createResponse).put("interrupt_response", interruptResponse);
        client.send(update);
        client.expect("session.updated");
    }
}
