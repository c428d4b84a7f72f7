package dev.switchboard.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RealtimeConcurrencyTest {

    private static final int CLIENTS = 16;
    private static final int ROUNDS = 6;
    private static WebSocketClient ws;

    @BeforeAll
    static void startClient() throws Exception {
        ws = new WebSocketClient();
        ws.start();
    }

    @AfterAll
    static void stopClient() throws Exception {
        ws.stop();
    }

    @Test
    void racing_cancels_end_every_response_exactly_once_with_nothing_after_its_done() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (ProviderSimulator simulator = ProviderSimulator.start(SimulatorConfig.loopbackEphemeral())) {
            List<Future<List<JsonNode>>> sessions = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                sessions.add(pool.submit(() -> session(simulator, client)));
            }
            for (Future<List<JsonNode>> session : sessions) {
                assertEachResponseEndsOnce(session.get(RealtimeTestClient.WAIT.toSeconds(), TimeUnit.SECONDS));
            }
            assertEquals(CLIENTS * ROUNDS, simulator.stats().realtimeResponses());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Creates a response and cancels it at once, ROUNDS times; returns every frame after session.created. */
    private static List<JsonNode> session(ProviderSimulator simulator, int client) throws Exception {
        try (RealtimeTestClient session = RealtimeTestClient.connect(ws, simulator)) {
            session.expect("session.created");
            session.send(RealtimeTestClient.userText("Race " + client));
            List<JsonNode> frames = new ArrayList<>();
            for (int round = 0; round < ROUNDS; round++) {
                session.send(RealtimeTestClient.responseCreate(Map.of("sim_ttft_ms", "0",
                        "sim_tokens_per_second", "2000", "sim_tokens", Integer.toString(1 + round * 7))));
                session.send(RealtimeTestClient.event("response.cancel"));
                frames.addAll(session.until("response.done"));
            }
            session.send(RealtimeTestClient.event("session.update").set("session",
                    SimulatorHttpClient.JSON.createObjectNode().put("type", "realtime")));
            frames.addAll(session.until("session.updated"));
            return frames;
        }
    }

    private static void assertEachResponseEndsOnce(List<JsonNode> frames) {
        Set<String> ended = new HashSet<>();
        for (JsonNode frame : frames) {
            String type = frame.path("type").asText();
            String responseId = type.equals("response.done") || type.equals("response.created")
                    ? frame.path("response").path("id").asText() : frame.path("response_id").asText();
            assertTrue(responseId.isEmpty() || !ended.contains(responseId), "after response.done: " + frame);
            if (type.equals("response.done")) {
                ended.add(responseId);
                String status = frame.path("response").path("status").asText();
                assertTrue(status.equals("cancelled") || status.equals("completed"), status);
            }
            if (type.equals("error")) {
                // A cancel may arrive after a tiny response already completed.
                assertEquals("response_cancel_not_active", frame.path("error").path("code").asText());
            }
        }
        assertEquals(ROUNDS, ended.size());
    }
}
