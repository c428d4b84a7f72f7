package dev.switchboard.bridge.realtime;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * A fake OpenAI Realtime provider: a real Jetty WebSocket server on {@code 127.0.0.1}, port 0, serving
 * {@code /v1/realtime}. Each upgrade is answered by the next queued {@link Answer} (refuse with a status, never
 * answer) or, when none is queued, accepted and driven by the current {@link Script}.
 *
 * <p>Thread-safe. {@link #close()} stops Jetty, which closes the connections still open.
 */
final class FakeRealtimeServer implements AutoCloseable {
    private static final long MAX_MESSAGE_BYTES = 32L * 1024 * 1024;

    /** What the provider saw of an upgrade request. */
    record Handshake(String model, Optional<String> authorization, Optional<String> extensions) {
    }

    /** A scripted answer to one upgrade request other than accepting it. */
    sealed interface Answer {
        /** Answers with {@code status}, the given headers and an OpenAI-style error body. */
        record Refuse(int status, Map<String, String> headers, String body) implements Answer {
        }

        /** Never answers: the client's handshake timeout must end the wait. */
        record Hang() implements Answer {
        }
    }

    private final Server server;
    private final ServerConnector connector;
    private final Queue<Answer> answers = new ConcurrentLinkedQueue<>();
    private final BlockingQueue<FakeRealtimeConnection> connections = new LinkedBlockingQueue<>();
    private final BlockingQueue<Handshake> handshakes = new LinkedBlockingQueue<>();
    private final AtomicInteger upgradeRequests = new AtomicInteger();
    private final Queue<Callback> hanging = new ConcurrentLinkedQueue<>();
    private volatile Script script = Script.ga("Hello", ", ", "world", "!");
    private volatile CompletableFuture<Void> upgradeGate = CompletableFuture.completedFuture(null);

    private FakeRealtimeServer() {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("fake-realtime");
        server = new Server(threads);
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.setShutdownIdleTimeout(50);
        server.addConnector(connector);
        server.setStopTimeout(1_000);
        server.setHandler(WebSocketUpgradeHandler.from(server, container -> {
            container.setMaxTextMessageSize(MAX_MESSAGE_BYTES);
            container.setIdleTimeout(Duration.ofMinutes(1));
            container.addMapping("/v1/realtime", this::upgrade);
        }));
    }

    /** Starts a provider and returns once it accepts connections. */
    static FakeRealtimeServer start() throws Exception {
        FakeRealtimeServer fake = new FakeRealtimeServer();
        fake.server.start();
        return fake;
    }

    /** {@code http://127.0.0.1:PORT/v1}: the connector must map it to {@code ws}. */
    URI httpBaseUri() {
        return URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/v1");
    }

    /** {@code ws://127.0.0.1:PORT/v1/}, with a trailing slash the connector must not double. */
    URI wsBaseUri() {
        return URI.create("ws://127.0.0.1:" + connector.getLocalPort() + "/v1/");
    }

    /** Drives connections accepted from now on with {@code next}. */
    FakeRealtimeServer script(Script next) {
        script = next;
        return this;
    }

    /** Answers the next unanswered upgrade request with {@code answer} instead of accepting it. */
    FakeRealtimeServer answerNext(Answer answer) {
        answers.add(answer);
        return this;
    }

    /** Holds upgrade requests from now on until {@code gate} completes, so a test can act while connecting. */
    FakeRealtimeServer holdUpgradesUntil(CompletableFuture<Void> gate) {
        upgradeGate = gate;
        return this;
    }

    /** Upgrade requests received so far, answered or not. */
    int upgradeRequests() {
        return upgradeRequests.get();
    }

    /** Waits for the next upgrade request to arrive and returns what it carried. */
    Handshake takeHandshake(Duration timeout) throws InterruptedException {
        Handshake handshake = handshakes.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (handshake == null) {
            throw new AssertionError("no upgrade request within " + timeout);
        }
        return handshake;
    }

    /** Waits for the next connection to open. */
    FakeRealtimeConnection takeConnection(Duration timeout) throws InterruptedException {
        FakeRealtimeConnection connection = connections.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (connection == null) {
            throw new AssertionError("no connection opened within " + timeout);
        }
        return connection;
    }

    void opened(FakeRealtimeConnection connection) {
        connections.add(connection);
    }

    private Object upgrade(ServerUpgradeRequest request, ServerUpgradeResponse response, Callback callback)
            throws Exception {
        upgradeRequests.incrementAndGet();
        Handshake handshake = new Handshake(
                Optional.ofNullable(Request.extractQueryParameters(request).getValue("model")).orElse(""),
                Optional.ofNullable(request.getHeaders().get(HttpHeader.AUTHORIZATION)),
                Optional.ofNullable(request.getHeaders().get(HttpHeader.SEC_WEBSOCKET_EXTENSIONS)));
        handshakes.add(handshake);
        try {
            // Blocks one server thread, bounded, only in tests that hold upgrades on purpose.
            upgradeGate.get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("a test held an upgrade and never released it", e);
        }
        Answer answer = answers.poll();
        if (answer instanceof Answer.Refuse refuse) {
            response.setStatus(refuse.status());
            refuse.headers().forEach((name, value) -> response.getHeaders().put(name, value));
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.write(true, ByteBuffer.wrap(refuse.body().getBytes(StandardCharsets.UTF_8)), callback);
            return null;
        }
        if (answer instanceof Answer.Hang) {
            hanging.add(callback);
            return null;
        }
        return new FakeRealtimeConnection(this, handshake, script);
    }

    /** A refusal with an OpenAI-style error body that echoes {@code echoed} (to check it is never passed on). */
    static Answer refuse(int status, String echoed, String... headerPairs) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i + 1 < headerPairs.length; i += 2) {
            headers.put(headerPairs[i], headerPairs[i + 1]);
        }
        String body = "{\"error\":{\"type\":\"invalid_request_error\",\"code\":\"status_" + status
                + "\",\"message\":\"Refused; key provided: " + echoed + "\"}}";
        return new Answer.Refuse(status, headers, body);
    }

    @Override
    public void close() {
        upgradeGate.complete(null);
        for (Callback callback = hanging.poll(); callback != null; callback = hanging.poll()) {
            // The client gave up long ago; completing the exchange lets Jetty stop without waiting for it.
            callback.succeeded();
        }
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("the fake provider did not stop", e);
        }
    }
}
