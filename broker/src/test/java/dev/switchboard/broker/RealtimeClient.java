package dev.switchboard.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * A real Jetty WebSocket client for tests: records every server frame as JSON, in arrival order. Shared by the
 * broker's test packages; public because Jetty invokes listener methods through method handles.
 */
public final class RealtimeClient implements Session.Listener.AutoDemanding, AutoCloseable {
    public static final Duration WAIT = Duration.ofSeconds(20);
    /** The mapper frames are parsed with. */
    public static final ObjectMapper JSON = new ObjectMapper();

    private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    private final List<JsonNode> all = java.util.Collections.synchronizedList(new ArrayList<>());
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private volatile Session session;
    private volatile String closeReason = "";

    public static RealtimeClient connect(WebSocketClient client, URI uri, String key) throws Exception {
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        request.setHeader("Authorization", "Bearer " + key);
        return connect(client, uri, request);
    }

    public static RealtimeClient connect(WebSocketClient client, URI uri, ClientUpgradeRequest request)
            throws Exception {
        RealtimeClient listener = new RealtimeClient();
        client.connect(listener, uri, request).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return listener;
    }

    public Session session() {
        return session;
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
    public void onWebSocketClose(int statusCode, String reason) {
        closeReason = reason;
        closed.complete(statusCode);
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        closed.complete(-1);
    }

    public void send(String json) {
        session.sendText(json, Callback.NOOP);
    }

    public void sendBinary(byte[] bytes) {
        session.sendBinary(ByteBuffer.wrap(bytes), Callback.NOOP);
    }

    /**
     * Sends {@code text} as one message in fragments of about {@code pieceChars} characters (never splitting a
     * surrogate pair), each after the previous one was written, waiting at most {@link #WAIT} for each.
     */
    public void sendFragmented(String text, int pieceChars) throws Exception {
        int start = 0;
        do {
            int end = Math.min(text.length(), start + pieceChars);
            if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
                end++;
            }
            String piece = text.substring(start, end);
            boolean last = end == text.length();
            awaitSent(callback -> session.sendPartialText(piece, last, callback));
            start = end;
        } while (start < text.length());
    }

    /** Sends {@code bytes} as one binary message in fragments of {@code pieceBytes}, like {@link #sendFragmented}. */
    public void sendBinaryFragmented(byte[] bytes, int pieceBytes) throws Exception {
        int start = 0;
        do {
            int end = Math.min(bytes.length, start + pieceBytes);
            ByteBuffer piece = ByteBuffer.wrap(bytes, start, end - start);
            boolean last = end == bytes.length;
            awaitSent(callback -> session.sendPartialBinary(piece, last, callback));
            start = end;
        } while (start < bytes.length);
    }

    private static void awaitSent(java.util.function.Consumer<Callback> send) throws Exception {
        CompletableFuture<Void> sent = new CompletableFuture<>();
        send.accept(Callback.from(() -> sent.complete(null), sent::completeExceptionally));
        sent.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** The next frame, waiting at most {@link #WAIT}. */
    public JsonNode next() throws InterruptedException {
        JsonNode node = frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (node == null) {
            String tail;
            synchronized (all) {
                tail = all.subList(Math.max(0, all.size() - 5), all.size()).toString();
            }
            throw new AssertionError("no frame from the server within " + WAIT + " (connection "
                    + (closed.isDone() ? "closed with " + closed.getNow(0) + " " + closeReason : "open") + "); " + all.size()
                    + " frames received, the last ones: " + tail);
        }
        return node;
    }

    /** Frames up to and including the first of {@code type}. */
    public List<JsonNode> until(String type) throws InterruptedException {
        return until(node -> type.equals(node.path("type").asText()));
    }

    public List<JsonNode> until(Predicate<JsonNode> last) throws InterruptedException {
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
    public List<JsonNode> received() {
        synchronized (all) {
            return List.copyOf(all);
        }
    }

    /** The close status once the connection has closed (-1 after a transport error), empty while it is open. */
    public java.util.Optional<Integer> closeStatus() {
        return java.util.Optional.ofNullable(closed.getNow(null));
    }

    public int awaitClose() throws Exception {
        return closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        Session current = session;
        if (current != null && current.isOpen()) {
            current.close();
        }
    }

    public static String userMessage(String text) {
        return "{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"message\",\"role\":\"user\","
                + "\"content\":[{\"type\":\"input_text\",\"text\":" + JSON.valueToTree(text) + "}]}}";
    }

    public static String responseCreate(String eventId, String metadataJson) {
        return "{\"type\":\"response.create\",\"event_id\":\"" + eventId + "\",\"response\":{\"metadata\":"
                + metadataJson + "}}";
    }
}
