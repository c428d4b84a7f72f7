package dev.switchboard.broker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class BackpressureTest {
    private static final int TOKENS = 60_000;
    private static TestBroker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = TestBroker.dev();
    }

    @AfterAll
    static void stop() throws Exception {
        broker.close();
    }

    @Test
    void a_client_that_stops_reading_pauses_its_upstream_and_loses_nothing_when_it_reads_again() throws Exception {
        StalledClient client = new StalledClient();
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        request.setHeader("Authorization", "Bearer dev-key");
        broker.client.connect(client, broker.ws("sim-chat"), request).get(10, TimeUnit.SECONDS);
        Session session = client.opened.get(10, TimeUnit.SECONDS);
        session.sendText(RealtimeClient.userMessage("Flood me."), Callback.NOOP);
        session.sendText(RealtimeClient.responseCreate("flood", "{\"sim_tokens\":\"" + TOKENS
                + "\",\"sim_ttft_ms\":\"0\",\"sim_tokens_per_second\":\"1000000\"}"), Callback.NOOP);
        // Read nothing: the kernel buffers fill, then the broker's outbound buffer passes its high watermark.
        var metrics = broker.broker.metrics().registry();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(() -> metrics.get("broker.backpressure.pauses").counter().count() >= 1);
        var stats = broker.broker.simulator().orElseThrow().stats();
        assertEquals(0, stats.streamsCompleted(), "the provider must be held back, not drained into memory");

        client.reading = true;
        session.demand();
        client.done.get(60, TimeUnit.SECONDS);
        long deltas = client.frames.stream().filter(f -> f.path("type").asText().equals("response.output_text.delta"))
                .count();
        assertEquals(TOKENS, deltas);
        JsonNode last = client.frames.get(client.frames.size() - 1);
        assertEquals("completed", last.path("response").path("status").asText());
        SeqAssert.contiguousFromOne(client.frames);
        assertFalse(client.closeCode != 0, "the connection must stay open");
        session.close();
    }
}
