package dev.switchboard.broker.resume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.RealtimeClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The real process: SIGTERM drains (answer finishes, reconnect event, 1012) and the broker exits 0. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SigtermDrainTest {
    private static final Pattern LISTENING = Pattern.compile("Switchboard listening on http://127\\.0\\.0\\.1:(\\d+)");

    @Test
    void sigterm_lets_the_answer_finish_asks_the_client_to_reconnect_and_exits_zero() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process broker = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "dev.switchboard.broker.Main", "--port", "0").redirectErrorStream(true).start();
        WebSocketClient ws = new WebSocketClient();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(broker.getInputStream(),
                    StandardCharsets.UTF_8));
            int port = -1;
            for (int i = 0; i < 200 && port < 0; i++) {
                String line = out.readLine();
                if (line == null) {
                    break;
                }
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                }
            }
            assertTrue(port > 0, "the broker did not report its port");
            Thread drainOutput = new Thread(() -> out.lines().forEach(line -> { }));
            drainOutput.setDaemon(true);
            drainOutput.start();

            ws.start();
            RealtimeClient client = RealtimeClient.connect(ws, URI.create("ws://127.0.0.1:" + port
                    + "/v1/realtime?model=sim-chat"), "dev-key");
            client.next();
            ResumeBroker.ask(client, "Tell me a story.",
                    "{\"sim_tokens\":\"150\",\"sim_ttft_ms\":\"0\",\"sim_tokens_per_second\":\"150\"}");
            client.until("response.output_text.delta");

            broker.destroy();  // SIGTERM
            List<JsonNode> rest = client.until("response.done");
            assertEquals("completed", rest.get(rest.size() - 1).path("response").path("status").asText());
            assertEquals("switchboard.reconnect", client.next().path("type").asText());
            assertEquals(1012, client.awaitClose());
            assertTrue(broker.waitFor(60, TimeUnit.SECONDS), "the broker did not exit");
            assertEquals(0, broker.exitValue());
        } finally {
            ws.stop();
            broker.destroyForcibly();
        }
    }
}
