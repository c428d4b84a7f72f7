package dev.switchboard.broker.failover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * A real Jetty WebSocket client for tests: records every server frame as JSON, in arrival order. A copy of the
 * broker package's test client, trimmed to what the failover tests use. Public because Jetty invokes the
 * listener methods through method handles, which need a public class.
 */
public final class RealtimeClient implements Session.Listener.AutoDemanding, AutoCloseable {
    /** The bound on every wait for a server frame. */
    static final Duration WAIT = Duration.ofSeconds(20);
    static final ObjectMapper JSON = new ObjectMapper();

    private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    private final List<JsonNode> all = Collections.synchronizedList(new ArrayList<>());
    private volatile Session session;

    static RealtimeClient connect(WebSocketClient client, URI uri, String key) throws Exception {
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        request.setHeader("Authorization", "Bearer " + key);
        RealtimeClient listener = new RealtimeClient();
        client.connect(listener, uri, request).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return listener;
    }

    @Override
    public void onWebSocketOpen(Session opened) {
        this.session = opened;
    }

    @Override
    public void onWebSocketText(String message) {
        try {
            JsonNode node = JSON.readTree(message);
            all.add(node);
            frames.add(node);
        } catch (Exception e) {
            throw new IllegalStateException("server sent a frame that is not JSON: " + message, e);
        }
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        // A connection closed while a test tears down; the frames received so far are what tests look at.
    }

    void send(String json) {
        session.sendText(json, Callback.NOOP);
    }

    /** The next frame, waiting at most {@link #WAIT}. */
    JsonNode next() throws InterruptedException {
        JsonNode node = frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (node == null) {
            throw new AssertionError("no frame from the server within " + WAIT + "; received so far: " + all);
        }
        return node;
    }

    /** Frames up to and including the first of {@code type}. */
    List<JsonNode> until(String type) throws InterruptedException {
        return until(node -> type.equals(node.path("type").asText()));
    }

    List<JsonNode> until(Predicate<JsonNode> last) throws InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        while (true) {
            JsonNode node = next();
            out.add(node);
            if (last.test(node)) {
                return out;
            }
        }
    }

    /** Every frame received so far, including ones already taken with {@link #next()}. */
    List<JsonNode> received() {
        synchronized (all) {
            return List.copyOf(all);
        }
    }

    @Override
    public void close() {
        Session current = session;
        if (current != null && current.isOpen()) {
            current.close();
        }
    }

    static String userMessage(String text) {
        return "{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"message\",\"role\":\"user\","
                + "\"content\":[{\"type\":\"input_text\",\"text\":" + JSON.valueToTree(text) + "}]}}";
    }

    static String responseCreate(String eventId, String metadataJson) {
        return "{\"type\":\"response.create\",\"event_id\":\"" + eventId + "\",\"response\":{\"metadata\":"
                + metadataJson + "}}";
    }
}
