package dev.switchboard.broker.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/** A minimal Realtime WebSocket client: sends frames, collects server events until {@code response.done}. */
public final class WsAnswer implements Session.Listener.AutoDemanding {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    private volatile Session session;

    static WsAnswer connect(WebSocketClient client, int port, String model) throws Exception {
        WsAnswer listener = new WsAnswer();
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        request.setHeader("Authorization", "Bearer dev-key");
        client.connect(listener, URI.create("ws://127.0.0.1:" + port + "/v1/realtime?model=" + model), request)
                .get(30, TimeUnit.SECONDS);
        return listener;
    }

    @Override
    public void onWebSocketOpen(Session opened) {
        session = opened;
    }

    @Override
    public void onWebSocketText(String message) {
        try {
            frames.add(JSON.readTree(message));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    void send(String frame) {
        session.sendText(frame, Callback.NOOP);
    }

    /** Events up to and including the first of {@code type}. */
    List<JsonNode> until(String type) throws InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        while (true) {
            JsonNode next = frames.poll(30, TimeUnit.SECONDS);
            if (next == null) {
                throw new AssertionError("no " + type + " within 30 s; got " + out);
            }
            out.add(next);
            if (type.equals(next.path("type").asText())) {
                return out;
            }
        }
    }

    void close() {
        session.close();
    }

    /** The text of a Realtime response: its deltas, joined. */
    static String text(List<JsonNode> events) {
        StringBuilder sb = new StringBuilder();
        events.stream().filter(e -> e.path("type").asText().equals("response.output_text.delta"))
                .forEach(e -> sb.append(e.path("delta").asText()));
        return sb.toString();
    }
}
