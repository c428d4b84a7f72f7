package dev.switchboard.broker.resume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.BrokerProcess;
import dev.switchboard.broker.RealtimeClient;
import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The real process: SIGTERM drains (answer finishes, reconnect event, 1012) and the broker exits 0. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SigtermDrainTest {
    @Test
    void sigterm_lets_the_answer_finish_asks_the_client_to_reconnect_and_exits_zero() throws Exception {
        WebSocketClient ws = new WebSocketClient();
        try (BrokerProcess broker = BrokerProcess.start()) {
            ws.start();
            RealtimeClient client = RealtimeClient.connect(ws, URI.create("ws://127.0.0.1:" + broker.port()
                    + "/v1/realtime?model=sim-chat"), "dev-key");
            client.next();
            ResumeBroker.ask(client, "Tell me a story.",
                    "{\"sim_tokens\":\"150\",\"sim_ttft_ms\":\"0\",\"sim_tokens_per_second\":\"150\"}");
            client.until("response.output_text.delta");

            broker.process().destroy();  // SIGTERM
            List<JsonNode> rest = client.until("response.done");
            assertEquals("completed", rest.get(rest.size() - 1).path("response").path("status").asText());
            assertEquals("switchboard.reconnect", client.next().path("type").asText());
            assertEquals(1012, client.awaitClose());
            assertTrue(broker.process().waitFor(60, TimeUnit.SECONDS), "the broker did not exit");
            assertEquals(0, broker.process().exitValue(), broker::recentOutput);
        } finally {
            ws.stop();
        }
    }
}
