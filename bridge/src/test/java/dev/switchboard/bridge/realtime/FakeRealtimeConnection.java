package dev.switchboard.bridge.realtime;

import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * The fake provider's side of one Realtime connection: records the handshake, every client event and how the
 * connection closed, and lets the {@link Script} (or the test) send events, close or cut the connection.
 *
 * <p>Public only because Jetty binds endpoint methods through a public lookup. Auto-demanding: the fake always
 * reads. Sends go through Jetty's queue in call order. Thread-safe.
 */
public final class FakeRealtimeConnection implements Session.Listener.AutoDemanding {

    /** How the connection ended as the provider saw it: a close code and reason. */
    record Closed(int code, String reason) {
    }

    private final FakeRealtimeServer.Handshake handshake;
    private final Script script;
    private final FakeRealtimeServer server;
    private final List<String> received = new ArrayList<>();
    private final List<String> sent = new ArrayList<>();
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile Session session;

    FakeRealtimeConnection(FakeRealtimeServer server, FakeRealtimeServer.Handshake handshake, Script script) {
        this.server = server;
        this.handshake = handshake;
        this.script = script;
    }

    @Override
    public void onWebSocketOpen(Session open) {
        session = open;
        server.opened(this);
        script.onOpen(this);
    }

    @Override
    public void onWebSocketText(String message) {
        synchronized (this) {
            received.add(message);
        }
        script.onClientEvent(this, GaEvents.typeOf(message), message);
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        closed.complete(new Closed(statusCode, reason == null ? "" : reason));
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        closed.complete(new Closed(-1, cause.getClass().getSimpleName()));
    }

    /** The upgrade request as the provider received it. */
    FakeRealtimeServer.Handshake handshake() {
        return handshake;
    }

    /** The {@code model} query parameter. */
    String model() {
        return handshake.model();
    }

    /** A number unique on this connection, for response and item ids. */
    int nextId() {
        return ids.incrementAndGet();
    }

    /** Sends one text message and records it. */
    synchronized void send(String json) {
        sent.add(json);
        session.sendText(json, Callback.NOOP);
    }

    /** Sends each message in order. */
    void sendAll(List<String> events) {
        events.forEach(this::send);
    }

    /** Sends a binary message, which a Realtime provider never does. */
    void sendBinary(byte[] payload) {
        session.sendBinary(ByteBuffer.wrap(payload), Callback.NOOP);
    }

    /** Starts a close handshake with {@code code} and {@code reason}. */
    void close(int code, String reason) {
        session.close(code, reason, Callback.NOOP);
    }

    /** Drops the TCP connection without a close frame. */
    void disconnect() {
        session.disconnect();
    }

    /** A snapshot of the client events received, in order. */
    synchronized List<String> received() {
        return List.copyOf(received);
    }

    /** A snapshot of the events sent, in order. */
    synchronized List<String> sent() {
        return List.copyOf(sent);
    }

    /** Waits until at least {@code count} client events arrived and returns them. */
    List<String> awaitReceived(int count, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(10)).until(() -> received().size() >= count);
        return received();
    }

    /** Waits for the connection to close and returns how. */
    Closed awaitClosed(Duration timeout) {
        try {
            return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new AssertionError("the connection did not close within " + timeout, e);
        }
    }
}
