package dev.switchboard.broker.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.SeqAssert;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import java.net.URI;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** Voice sessions through the relay to the simulator's Realtime endpoint: audio both ways and both barge-ins. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class VoiceTest {
    /** 60 ms of PCM16 at 24 kHz per transcript character. */
    private static final int BYTES_PER_CHAR = 2_880;
    private static final String AUDIO_SESSION = "{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\","
            + "\"output_modalities\":[\"audio\"]}}";
    private static final String VAD_SESSION = "{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\","
            + "\"output_modalities\":[\"audio\"],\"audio\":{\"input\":{\"turn_detection\":{\"type\":\"server_vad\","
            + "\"create_response\":false,\"interrupt_response\":true}}}}}";
    private static final String SLOW_AUDIO = "{\"sim_tokens\":\"400\",\"sim_ttft_ms\":\"0\","
            + "\"sim_tokens_per_second\":\"100\"}";
    private static Broker broker;
    private static WebSocketClient ws;

    @BeforeAll
    static void start() throws Exception {
        broker = Broker.start(new ConfigLoader(System::getenv).loadDev()
                .withListen(new BrokerConfig.Listen("127.0.0.1", 0)));
        ws = new WebSocketClient();
        ws.setMaxTextMessageSize(64L << 20);
        ws.start();
    }

    @AfterAll
    static void stop() throws Exception {
        ws.stop();
        broker.close();
    }

    private static RealtimeClient voiceSession(String sessionUpdate) throws Exception {
        RealtimeClient client = RealtimeClient.connect(ws, URI.create("ws://127.0.0.1:" + broker.port()
                + "/v1/realtime?model=sim-realtime"), "dev-key");
        client.next();
        client.send(sessionUpdate);
        client.until("session.updated");
        return client;
    }

    /** Cut-offs the broker itself made (not the provider's own cancellations), by reason. */
    private static long brokerCutOffs(String reason) {
        var timer = broker.metrics().registry().find("broker.bargein.latency").tag("reason", reason).timer();
        return timer == null ? 0 : timer.count();
    }

    private static boolean ofResponse(JsonNode frame, String responseId) {
        return responseId.equals(frame.path("response_id").asText())
                || responseId.equals(frame.path("response").path("id").asText());
    }

    @Test
    void an_audio_answer_arrives_as_audio_deltas_with_a_matching_transcript() throws Exception {
        try (RealtimeClient client = voiceSession(AUDIO_SESSION)) {
            client.send(RealtimeClient.userMessage("Say something."));
            client.until("conversation.item.done");
            client.send(RealtimeClient.responseCreate("go", "{\"sim_tokens\":\"12\",\"sim_ttft_ms\":\"0\"}"));
            List<JsonNode> frames = client.until("response.done");
            long audioBytes = 0;
            StringBuilder transcript = new StringBuilder();
            String done = null;
            for (JsonNode frame : frames) {
                switch (frame.path("type").asText()) {
                    case "response.output_audio.delta" ->
                            audioBytes += Base64.getDecoder().decode(frame.path("delta").asText()).length;
                    case "response.output_audio_transcript.delta" -> transcript.append(frame.path("delta").asText());
                    case "response.output_audio_transcript.done" -> done = frame.path("transcript").asText();
                    default -> {
                    }
                }
            }
            assertEquals(done, transcript.toString());
            assertEquals((long) BYTES_PER_CHAR * transcript.length(), audioBytes);
            assertEquals("completed", frames.get(frames.size() - 1).path("response").path("status").asText());
            SeqAssert.contiguousFromOne(client.received());
        }
    }

    @Test
    void spoken_input_is_detected_by_the_providers_vad_and_committed() throws Exception {
        try (RealtimeClient client = voiceSession(VAD_SESSION)) {
            client.send(Pcm.append(Pcm.silence(400)));
            for (int i = 0; i < 5; i++) {
                client.send(Pcm.append(Pcm.tone(100)));
            }
            for (int i = 0; i < 6; i++) {
                client.send(Pcm.append(Pcm.silence(100)));
            }
            JsonNode started = client.until("input_audio_buffer.speech_started").stream()
                    .reduce((a, b) -> b).orElseThrow();
            assertEquals(100, started.path("audio_start_ms").asInt(), started::toString);
            JsonNode stopped = client.until("input_audio_buffer.speech_stopped").stream()
                    .reduce((a, b) -> b).orElseThrow();
            assertEquals(1400, stopped.path("audio_end_ms").asInt(), stopped::toString);
            client.until("input_audio_buffer.committed");
            SeqAssert.contiguousFromOne(client.received());
        }
    }

    @Test
    void an_audio_append_just_under_the_frame_limit_reaches_the_provider_whole() throws Exception {
        // 15 s of tone: 720,000 bytes of PCM, 960,000 characters of base64, just under the 1 MiB default
        // limits.max_frame_bytes. The broker receives it in many fragments and must relay it whole, or the
        // provider's VAD would place the end of speech earlier.
        String append = Pcm.append(Pcm.tone(15_000));
        assertTrue(append.length() > 900_000 && append.length() < 1 << 20, "size " + append.length());
        try (RealtimeClient client = voiceSession(VAD_SESSION)) {
            client.send(Pcm.append(Pcm.silence(400)));
            client.send(append);
            for (int i = 0; i < 6; i++) {
                client.send(Pcm.append(Pcm.silence(100)));
            }
            JsonNode stopped = client.until("input_audio_buffer.speech_stopped").stream()
                    .reduce((a, b) -> b).orElseThrow();
            assertEquals(400 + 15_000 + 500, stopped.path("audio_end_ms").asInt(), stopped::toString);
            assertTrue(client.received().stream().noneMatch(e -> e.path("type").asText().equals("error")),
                    () -> client.received().toString());
        }
    }

    @Test
    void when_the_caller_speaks_over_the_answer_nothing_of_it_follows_speech_started() throws Exception {
        try (RealtimeClient client = voiceSession(VAD_SESSION)) {
            client.send(RealtimeClient.userMessage("Tell me a long story."));
            client.until("conversation.item.done");
            client.send(RealtimeClient.responseCreate("go", SLOW_AUDIO));
            JsonNode firstAudio = client.until("response.output_audio.delta").stream().reduce((a, b) -> b)
                    .orElseThrow();
            String responseId = firstAudio.path("response_id").asText();
            long cutOffsBefore = brokerCutOffs("turn_detected");
            client.send(Pcm.append(Pcm.tone(200)));
            List<JsonNode> upToSpeech = client.until("input_audio_buffer.speech_started");
            assertFalse(upToSpeech.isEmpty());
            JsonNode done = client.next();
            assertEquals("response.done", done.path("type").asText(), done::toString);
            assertEquals(responseId, done.path("response").path("id").asText());
            assertEquals("cancelled", done.path("response").path("status").asText());
            assertEquals("turn_detected", done.path("response").path("status_details").path("reason").asText());
            // The broker's own response.done (the provider's has the output item), and its barge-in meter, which
            // is recorded just after the event is handed to the connection.
            assertEquals(0, done.path("response").path("output").size(), done::toString);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                    .until(() -> brokerCutOffs("turn_detected") == cutOffsBefore + 1);
            assertNothingOfResponseAfterARoundTrip(client, responseId);
        }
    }

    @Test
    void a_client_barge_in_with_cancel_and_truncate_stops_the_answer_at_once() throws Exception {
        try (RealtimeClient client = voiceSession(AUDIO_SESSION)) {
            client.send(RealtimeClient.userMessage("Tell me a long story."));
            client.until("conversation.item.done");
            client.send(RealtimeClient.responseCreate("go", SLOW_AUDIO));
            JsonNode audio = client.until("response.output_audio.delta").stream().reduce((a, b) -> b).orElseThrow();
            String responseId = audio.path("response_id").asText();
            String itemId = audio.path("item_id").asText();
            long cutOffsBefore = brokerCutOffs("client_cancelled");
            client.send("{\"type\":\"response.cancel\"}");
            client.send("{\"type\":\"conversation.item.truncate\",\"item_id\":\"" + itemId
                    + "\",\"content_index\":0,\"audio_end_ms\":60}");
            JsonNode done = client.until("response.done").stream().reduce((a, b) -> b).orElseThrow();
            assertEquals("cancelled", done.path("response").path("status").asText(), done::toString);
            assertEquals("client_cancelled", done.path("response").path("status_details").path("reason").asText());
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                    .until(() -> brokerCutOffs("client_cancelled") == cutOffsBefore + 1);
            List<JsonNode> after = client.until("conversation.item.truncated");
            JsonNode truncated = after.get(after.size() - 1);
            assertEquals(60, truncated.path("audio_end_ms").asInt());
            for (JsonNode frame : after) {
                assertFalse(ofResponse(frame, responseId), () -> "after the cancel: " + frame);
            }
            assertNothingOfResponseAfterARoundTrip(client, responseId);
        }
    }

    private static void assertNothingOfResponseAfterARoundTrip(RealtimeClient client, String responseId)
            throws Exception {
        client.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"instructions\":\"next\"}}");
        for (JsonNode frame : client.until("session.updated")) {
            assertFalse(ofResponse(frame, responseId), () -> "event of the interrupted response: " + frame);
        }
        SeqAssert.contiguousFromOne(client.received());
    }

    @Test
    void many_concurrent_voice_sessions_complete() throws Exception {
        int sessions = 24;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < sessions; i++) {
                Callable<String> call = () -> {
                    try (RealtimeClient client = voiceSession(AUDIO_SESSION)) {
                        client.send(RealtimeClient.userMessage("Hello."));
                        client.until("conversation.item.done");
                        client.send(RealtimeClient.responseCreate("go", "{\"sim_tokens\":\"30\",\"sim_ttft_ms\":\"0\","
                                + "\"sim_tokens_per_second\":\"300\"}"));
                        List<JsonNode> frames = client.until("response.done");
                        SeqAssert.contiguousFromOne(client.received());
                        return frames.get(frames.size() - 1).path("response").path("status").asText();
                    }
                };
                results.add(pool.submit(call));
            }
            for (Future<String> result : results) {
                assertEquals("completed", result.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
