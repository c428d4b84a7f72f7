package dev.switchboard.broker.resume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.SeqAssert;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * End to end through the real server: a long answer's {@code *.done} events each repeat its whole text, so each can
 * be larger than the connection's hard limit ({@code outbound.max_bytes}); a client that reads slowly still gets
 * them all, in order, and is never closed as a slow consumer. (On loopback the kernel's socket buffers absorb most
 * of the slowness, so the piling-up this guards against is pinned down deterministically by
 * {@code SessionOutputTest}; CI once saw it as a 4008 on a resumed catch-up in {@code SlowConsumerTest}.)
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class LargeFramesToASlowReaderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ResumeBroker broker;
    private static WebSocketClient smallBuffers;

    @BeforeAll
    static void start() throws Exception {
        broker = ResumeBroker.start("""
                outbound: {high_watermark_bytes: 4096, low_watermark_bytes: 1024, max_bytes: 8192, max_stall: 20s}
                """);
        // A small receive buffer, so the reader's slowness reaches the broker instead of piling up in the kernel.
        ClientConnector connector = new ClientConnector();
        connector.setReceiveBufferSize(4096);
        smallBuffers = new WebSocketClient(new HttpClient(new HttpClientTransportOverHTTP(connector)));
        smallBuffers.setMaxTextMessageSize(16L << 20);
        smallBuffers.start();
    }

    @AfterAll
    static void stop() throws Exception {
        smallBuffers.stop();
        broker.close();
    }

    @Test
    void done_events_larger_than_max_bytes_reach_a_client_that_reads_slowly() throws Exception {
        SlowReader reader = new SlowReader();
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        request.setHeader("Authorization", "Bearer dev-key");
        smallBuffers.connect(reader, broker.ws("model=" + ResumeBroker.CHAT), request).get(10, TimeUnit.SECONDS);
        Session session = reader.opened.get(10, TimeUnit.SECONDS);
        session.sendText(RealtimeClient.userMessage("A long one, please."), Callback.NOOP);
        session.sendText(RealtimeClient.responseCreate("long", "{\"sim_tokens\":\"2500\",\"sim_ttft_ms\":\"0\","
                + "\"sim_tokens_per_second\":\"1000000\"}"), Callback.NOOP);

        reader.done.get(60, TimeUnit.SECONDS);

        JsonNode last = reader.frames.get(reader.frames.size() - 1);
        assertEquals("completed", last.path("response").path("status").asText(), last::toString);
        String text = reader.frames.stream().filter(f -> f.path("type").asText().equals("response.output_text.done"))
                .findFirst().orElseThrow().path("text").asText();
        assertTrue(text.length() > 8192, () -> "the answer must exceed max_bytes to test anything: " + text.length());
        SeqAssert.contiguousFromOne(reader.frames);
        assertEquals(0, broker.broker.metrics().registry().get("broker.connections.slow_consumer").counter().count());
    }

    /** Reads one frame per millisecond or so. */
    public static final class SlowReader implements Session.Listener {
        final List<JsonNode> frames = new CopyOnWriteArrayList<>();
        final CompletableFuture<Session> opened = new CompletableFuture<>();
        final CompletableFuture<Void> done = new CompletableFuture<>();

        @Override
        public void onWebSocketOpen(Session session) {
            opened.complete(session);
            session.demand();
        }

        @Override
        public void onWebSocketText(String message) {
            try {
                JsonNode node = JSON.readTree(message);
                frames.add(node);
                if (node.path("type").asText().equals("response.done")) {
                    done.complete(null);
                    return;
                }
                Thread.sleep(1);
            } catch (Exception e) {
                done.completeExceptionally(e);
                return;
            }
            opened.join().demand();
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            done.completeExceptionally(new IllegalStateException("closed " + statusCode + " " + reason));
        }
    }
}
