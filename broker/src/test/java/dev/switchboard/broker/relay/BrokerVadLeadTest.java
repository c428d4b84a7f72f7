package dev.switchboard.broker.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.SeqAssert;
import dev.switchboard.broker.config.ConfigLoader;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Issue 12: with both the broker's VAD (tenant default settings) and the provider's server VAD (the simulator's,
 * at its defaults) listening to the same audio, the broker's {@code switchboard.speech_started} comes first, for
 * onsets anywhere in a 100 ms append, and the cut of a playing answer is the broker's. Compares the order of events
 * in the stream and audio positions, never wall-clock durations.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class BrokerVadLeadTest {
    private static final int RATE = 24_000;
    private static final int CHUNK_MS = 100;
    /** Provider VAD at its default threshold, without prefix padding, so audio_start_ms is where it saw speech. */
    private static final String SESSION = "{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\","
            + "\"output_modalities\":[\"audio\"],\"audio\":{\"input\":{\"turn_detection\":{\"type\":\"server_vad\","
            + "\"prefix_padding_ms\":0,\"create_response\":false,\"interrupt_response\":true}}}}}";
    private static final String SLOW_AUDIO = "{\"sim_tokens\":\"400\",\"sim_ttft_ms\":\"0\","
            + "\"sim_tokens_per_second\":\"100\"}";
    private static Broker broker;
    private static WebSocketClient ws;

    @BeforeAll
    static void start() throws Exception {
        broker = Broker.start(new ConfigLoader(System::getenv).parse("""
                listen: {host: 127.0.0.1, port: 0}
                simulator: {enabled: true}
                providers:
                  rt: {kind: openai-realtime, base_url: "simulator:/v1"}
                models:
                  sim-realtime: {route: [rt/sim-realtime]}
                tenants:
                  vad: {keys: [vad-key], models: ["*"], broker_vad: true}
                """));
        ws = new WebSocketClient();
        ws.setMaxTextMessageSize(64L << 20);
        ws.start();
    }

    @AfterAll
    static void stop() throws Exception {
        ws.stop();
        broker.close();
    }

    /** 1 s of quiet, then speech with a 30 ms attack starting {@code onsetMs} into the next append, 400 ms of it. */
    private static byte[] utterance(int onsetMs) {
        int lead = RATE * (1_000 + onsetMs) / 1000;
        double[] samples = new double[lead + RATE * 4 / 10];
        for (int i = lead; i < samples.length; i++) {
            double t = (double) (i - lead) / RATE;
            double attack = t >= 0.03 ? 1 : (1 - Math.cos(Math.PI * t / 0.03)) / 2;
            samples[i] = 0.1 * attack * (Math.sin(2 * Math.PI * 125 * t) + Math.sin(2 * Math.PI * 250 * t) / 2);
        }
        byte[] out = new byte[samples.length * 2];
        for (int i = 0; i < samples.length; i++) {
            short v = (short) Math.round(samples[i] * 32767);
            out[2 * i] = (byte) v;
            out[2 * i + 1] = (byte) (v >> 8);
        }
        return out;
    }

    /** Sends {@code audio} in 100 ms appends; returns the events up to the provider's speech_started. */
    private static List<JsonNode> speak(RealtimeClient client, byte[] audio) throws InterruptedException {
        int chunk = RATE * CHUNK_MS / 1000 * 2;
        for (int at = 0; at < audio.length; at += chunk) {
            client.send(Pcm.append(Arrays.copyOfRange(audio, at, Math.min(audio.length, at + chunk))));
        }
        return client.until("input_audio_buffer.speech_started");
    }

    private static JsonNode only(List<JsonNode> frames, String type) {
        List<JsonNode> matching = frames.stream().filter(f -> f.path("type").asText().equals(type)).toList();
        assertEquals(1, matching.size(), () -> type + " in " + frames);
        return matching.get(0);
    }

    @Test
    void the_brokers_speech_started_precedes_the_providers_wherever_the_onset_falls_in_an_append()
            throws Exception {
        try (RealtimeClient client = RealtimeClient.connect(ws, URI.create("ws://127.0.0.1:" + broker.port()
                + "/v1/realtime?model=sim-realtime"), "vad-key")) {
            client.next();
            client.send(SESSION);
            client.until("session.updated");
            long audioMs = 0;
            for (int onsetMs : new int[] {0, 35, 61, 89, 97}) {
                List<JsonNode> frames = speak(client, utterance(onsetMs));
                JsonNode ours = only(frames, "switchboard.speech_started");
                JsonNode theirs = frames.get(frames.size() - 1);
                long onset = audioMs + 1_000 + onsetMs;
                assertTrue(ours.path("seq").asLong() < theirs.path("seq").asLong(), frames::toString);
                // The provider's frame that saw speech ends 10 ms after its audio_start_ms.
                assertTrue(ours.path("audio_detected_ms").asLong() <= theirs.path("audio_start_ms").asLong() + 10,
                        () -> ours + " vs " + theirs);
                assertTrue(ours.path("audio_start_ms").asLong() >= onset
                        && ours.path("audio_start_ms").asLong() <= onset + 20, ours::toString);
                audioMs += utterance(onsetMs).length / 48;
            }
            SeqAssert.contiguousFromOne(client.received());
        }
    }

    @Test
    void the_cut_of_a_playing_answer_is_the_brokers() throws Exception {
        try (RealtimeClient client = RealtimeClient.connect(ws, URI.create("ws://127.0.0.1:" + broker.port()
                + "/v1/realtime?model=sim-realtime"), "vad-key")) {
            client.next();
            client.send(SESSION);
            client.until("session.updated");
            client.send(RealtimeClient.userMessage("Tell me a long story."));
            client.until("conversation.item.done");
            client.send(RealtimeClient.responseCreate("go", SLOW_AUDIO));
            String responseId = client.until("response.output_audio.delta").stream().reduce((a, b) -> b)
                    .orElseThrow().path("response_id").asText();
            List<JsonNode> frames = new ArrayList<>(speak(client, utterance(73)));
            List<JsonNode> done = frames.stream().filter(f -> f.path("type").asText().equals("response.done")
                    && f.path("response").path("id").asText().equals(responseId)).toList();
            assertEquals(1, done.size(), frames::toString);
            assertEquals("broker_vad", done.get(0).path("response").path("status_details").path("reason").asText());
            assertTrue(done.get(0).path("seq").asLong() < frames.get(frames.size() - 1).path("seq").asLong());
        }
    }
}
