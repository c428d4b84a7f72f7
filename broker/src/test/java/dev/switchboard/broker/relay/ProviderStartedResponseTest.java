package dev.switchboard.broker.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.SeqAssert;
import dev.switchboard.broker.admission.Admission;
import dev.switchboard.broker.admission.Refusal;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import dev.switchboard.broker.session.ResponseHooks;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, seam 2: a response the relayed provider starts by itself (server VAD with {@code create_response}) is
 * offered to the hooks with its id when the provider announces it, and a hook's deny stops it at once.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ProviderStartedResponseTest {
    private static final String VAD_SESSION = "{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\","
            + "\"output_modalities\":[\"audio\"],\"audio\":{\"input\":{\"turn_detection\":{\"type\":\"server_vad\","
            + "\"create_response\":true}}}}}";
    private static final List<ResponseHooks.ResponseRequest> REQUESTED = new CopyOnWriteArrayList<>();
    private static Broker broker;
    private static WebSocketClient ws;

    @BeforeAll
    static void start() throws Exception {
        ResponseHooks denyAll = new ResponseHooks() {
            @Override
            public Verdict onResponseRequested(ResponseRequest request) {
                REQUESTED.add(request);
                return new Verdict.Deny(new Admission.Refused(Refusal.RATE_LIMITED, "requests per minute exceeded",
                        Optional.empty(), Optional.of(Duration.ofMillis(1500))));
            }
        };
        broker = Broker.start(new ConfigLoader(System::getenv).loadDev()
                .withListen(new BrokerConfig.Listen("127.0.0.1", 0)), denyAll);
        ws = new WebSocketClient();
        ws.start();
    }

    @AfterAll
    static void stop() throws Exception {
        ws.stop();
        broker.close();
    }

    @Test
    void a_denied_provider_started_response_ends_cancelled_with_the_refusal_and_nothing_of_it_follows()
            throws Exception {
        try (RealtimeClient client = RealtimeClient.connect(ws, URI.create("ws://127.0.0.1:" + broker.port()
                + "/v1/realtime?model=sim-realtime"), "dev-key")) {
            client.next();
            client.send(VAD_SESSION);
            client.until("session.updated");
            client.send(Pcm.append(Pcm.silence(400)));
            for (int i = 0; i < 5; i++) {
                client.send(Pcm.append(Pcm.tone(100)));
            }
            for (int i = 0; i < 6; i++) {
                client.send(Pcm.append(Pcm.silence(100)));
            }
            List<JsonNode> frames = client.until("response.created");
            String responseId = frames.get(frames.size() - 1).path("response").path("id").asText();
            assertFalse(responseId.isEmpty());

            List<JsonNode> untilDone = client.until("response.done");
            JsonNode error = untilDone.stream().filter(f -> f.path("type").asText().equals("error")).findFirst()
                    .orElseThrow(() -> new AssertionError("no error event before response.done: " + untilDone));
            assertEquals("rate_limit_exceeded", error.path("error").path("code").asText(), error::toString);
            assertEquals(1500, error.path("error").path("retry_after_ms").asLong(), error::toString);
            JsonNode done = untilDone.get(untilDone.size() - 1).path("response");
            assertEquals(responseId, done.path("id").asText());
            assertEquals("cancelled", done.path("status").asText(), done::toString);
            assertEquals("rate_limit_exceeded", done.path("status_details").path("reason").asText(), done::toString);
            assertTrue(REQUESTED.stream().anyMatch(r -> r.response().responseId().equals(responseId)),
                    "the hooks were offered the provider-started response with its id");

            client.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"instructions\":\"x\"}}");
            for (JsonNode frame : client.until("session.updated")) {
                assertFalse(frame.path("type").asText().startsWith("response.")
                        && frame.toString().contains(responseId), () -> "event of the denied response: " + frame);
            }
            SeqAssert.contiguousFromOne(client.received());
        }
    }
}
