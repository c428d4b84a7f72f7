package dev.switchboard.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.websocket.api.Session;

/** A client that reads a frame only when the test says so. */
public final class StalledClient implements Session.Listener {
    private static final ObjectMapper JSON = new ObjectMapper();
    public final List<JsonNode> frames = new CopyOnWriteArrayList<>();
    public final CompletableFuture<Session> opened = new CompletableFuture<>();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    public volatile boolean reading;
    public volatile int closeCode;

    @Override
    public void onWebSocketOpen(Session session) {
        opened.complete(session);
    }

    @Override
    public void onWebSocketText(String message) {
        try {
            JsonNode node = JSON.readTree(message);
            frames.add(node);
            if (node.path("type").asText().equals("response.done")) {
                done.complete(null);
            }
        } catch (Exception e) {
            done.completeExceptionally(e);
        }
        Session session = opened.getNow(null);
        if (reading && session != null) {
            session.demand();
        }
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        closeCode = statusCode;
        done.completeExceptionally(new IllegalStateException("closed " + statusCode + " " + reason));
    }
}
