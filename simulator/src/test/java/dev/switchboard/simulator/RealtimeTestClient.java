package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.exceptions.UpgradeException;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * A real Jetty WebSocket client of the simulator's Realtime endpoint for tests: every server frame is parsed as
 * JSON and queued in arrival order; every wait is bounded. Public because Jetty binds listener methods through
 * method handles.
 */
public final class RealtimeTestClient implements Session.Listener.AutoDemanding, AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(20);
    /** Knobs that make a response finish at once. */
    static final Map<String, String> FAST = Map.of("sim_ttft_ms", "0", "sim_tokens_per_second", "100000");

    private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    private final List<String> raw = Collections.synchronizedList(new ArrayList<>());
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
    private volatile Session session;

    /** Connects to {@code /v1/realtime?model=sim-realtime} on {@code simulator} without extra headers. */
    static RealtimeTestClient connect(WebSocketClient client, ProviderSimulator simulator) throws Exception {
        return connect(client, uri(simulator, "", SimulatorModels.SIM_REALTIME), new ClientUpgradeRequest());
    }

    static RealtimeTestClient connect(WebSocketClient client, URI uri, ClientUpgradeRequest request)
            throws Exception {
        RealtimeTestClient listener = new RealtimeTestClient();
        client.connect(listener, uri, request).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return listener;
    }

    /** The endpoint URI: {@code ws://127.0.0.1:PORT{prefix}/v1/realtime?model=MODEL}. */
    static URI uri(ProviderSimulator simulator, String prefix, String model) {
        return URI.create("ws://127.0.0.1:" + simulator.port() + prefix + "/v1/realtime?model=" + model);
    }

    /** The HTTP status that refused an upgrade; fails if the upgrade succeeded. */
    static int refusedStatus(WebSocketClient client, URI uri, ClientUpgradeRequest request) throws Exception {
        try {
            RealtimeTestClient listener = connect(client, uri, request);
            listener.close();
            throw new AssertionError("the upgrade was accepted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UpgradeException upgrade) {
                return upgrade.getResponseStatusCode();
            }
            throw e;
        }
    }

    @Override
    public void onWebSocketOpen(Session opened) {
        this.session = opened;
    }

    @Override
    public void onWebSocketText(String message) {
        raw.add(message);
        try {
            frames.add(SimulatorHttpClient.JSON.readTree(message));
        } catch (Exception e) {
            frames.add(SimulatorHttpClient.JSON.createObjectNode().put("type", "<not json>").put("raw", message));
        }
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        closed.complete(statusCode);
    }

    /** Jetty reports a dropped connection as an error and then as a close with 1006. */
    @Override
    public void onWebSocketError(Throwable cause) {
        errors.add(cause);
    }

    void send(String json) {
        session.sendText(json, Callback.NOOP);
    }

    void send(JsonNode event) {
        send(event.toString());
    }

    void sendBinary(byte[] bytes) {
        session.sendBinary(ByteBuffer.wrap(bytes), Callback.NOOP);
    }

    /** The next frame, waiting at most {@link #WAIT}. */
    JsonNode next() throws InterruptedException {
        JsonNode node = frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (node == null) {
            throw new AssertionError("no frame within " + WAIT + "; received so far: " + raw);
        }
        return node;
    }

    /** The next frame if one arrives within {@code wait}, else {@code null}. */
    JsonNode poll(Duration wait) throws InterruptedException {
        return frames.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next frame, which must be of {@code type}. */
    JsonNode expect(String type) throws InterruptedException {
        JsonNode node = next();
        if (!type.equals(node.path("type").asText())) {
            throw new AssertionError("expected " + type + " but got " + node);
        }
        return node;
    }

    /** Frames up to and including the first of {@code type}. */
    List<JsonNode> until(String type) throws InterruptedException {
        return until(node -> type.equals(node.path("type").asText()));
    }

    List<JsonNode> until(Predicate<JsonNode> last) throws InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        for (int i = 0; i < 1_000_000; i++) {
            JsonNode node = next();
            out.add(node);
            if (last.test(node)) {
                return out;
            }
        }
        throw new AssertionError("no matching frame among a million");
    }

    /** Every frame received so far, as text. */
    List<String> rawFrames() {
        synchronized (raw) {
            return List.copyOf(raw);
        }
    }

    /** The close code once the connection closed (1006 when the server dropped it without a close frame). */
    int awaitClose() throws Exception {
        return closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    String acceptedSubprotocol() {
        return session.getUpgradeResponse().getAcceptedSubProtocol();
    }

    boolean isOpen() {
        return session.isOpen();
    }

    @Override
    public void close() {
        Session current = session;
        if (current != null && current.isOpen()) {
            current.close();
        }
    }

    static ObjectNode event(String type) {
        return SimulatorHttpClient.JSON.createObjectNode().put("type", type);
    }

    static ObjectNode userText(String text) {
        ObjectNode event = event("conversation.item.create");
        ObjectNode item = event.putObject("item").put("type", "message").put("role", "user");
        item.putArray("content").addObject().put("type", "input_text").put("text", text);
        return event;
    }

    /** A {@code response.create} whose metadata holds {@code metadata}. */
    static ObjectNode responseCreate(Map<String, String> metadata) {
        ObjectNode event = event("response.create");
        ObjectNode meta = event.putObject("response").putObject("metadata");
        metadata.forEach(meta::put);
        return event;
    }

    /** Text of the {@code delta}s of {@code type} events among {@code frames}, concatenated. */
    static String deltas(List<JsonNode> frames, String type) {
        StringBuilder text = new StringBuilder();
        for (JsonNode frame : frames) {
            if (type.equals(frame.path("type").asText())) {
                text.append(frame.path("delta").asText());
            }
        }
        return text.toString();
    }

    static List<String> types(List<JsonNode> frames) {
        return frames.stream().map(frame -> frame.path("type").asText()).toList();
    }
}
