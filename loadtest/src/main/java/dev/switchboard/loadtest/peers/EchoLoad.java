package dev.switchboard.loadtest.peers;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * N Realtime WebSockets, each with one round trip in flight: after {@code session.created} a connection sends
 * {@value #REQUEST} and times the provider's {@code input_audio_buffer.cleared} (the cheapest request and reply
 * the simulator's Realtime endpoint has, and one the broker's relay forwards untouched), then sends the next from
 * the reply's callback until the window ends. Threading: see {@link Load}; each connection's callbacks run one at a
 * time on Jetty's pool.
 */
final class EchoLoad implements Load {
    /** The event every round trip sends. */
    static final String REQUEST = "{\"type\":\"input_audio_buffer.clear\"}";
    /** The reply's type, as it appears in the frame (the relay appends fields, it never reorders them). */
    static final String REPLY = "\"type\":\"input_audio_buffer.cleared\"";
    static final String READY = "\"type\":\"session.created\"";
    private static final long MAX_MESSAGE_BYTES = 1L << 20;

    private final BenchOptions options;
    private final WebSocketClient client;
    private final CountDownLatch stopped;
    private final List<EchoSocket> sockets = new ArrayList<>();

    private long endNanos;

    EchoLoad(BenchOptions options) {
        this.options = options;
        this.client = new WebSocketClient(Clients.http(options.concurrency()));
        this.stopped = new CountDownLatch(options.concurrency());
    }

    @Override
    public void open() throws Exception {
        client.setMaxTextMessageSize(MAX_MESSAGE_BYTES);
        client.setIdleTimeout(options.warmup().plus(options.duration()).plus(options.grace()).plusMinutes(1));
        client.setStopTimeout(2_000);
        client.setStopAtShutdown(false);
        client.start();
    }

    @Override
    public void start(Tally tally) throws IOException {
        endNanos = tally.window().endNanos();
        URI uri = withModel(options.url(), options.model());
        for (int i = 0; i < options.concurrency(); i++) {
            EchoSocket socket = new EchoSocket(tally, stopped::countDown);
            ClientUpgradeRequest request = new ClientUpgradeRequest();
            if (!options.key().isEmpty()) {
                request.setHeader("Authorization", "Bearer " + options.key());
            }
            sockets.add(socket);
            client.connect(socket, uri, request).whenComplete((opened, failure) -> {
                if (failure != null) {
                    socket.onWebSocketError(failure);
                }
            });
        }
    }

    @Override
    public boolean awaitDrained(Duration grace) throws InterruptedException {
        long waitNanos = Math.max(0, endNanos - System.nanoTime()) + grace.toNanos();
        return stopped.await(waitNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        sockets.forEach(EchoSocket::close);
        try {
            client.stop();
            client.getHttpClient().stop();
        } catch (Exception e) {
            // Best effort: the run is over and its results are recorded.
        }
    }

    /** {@code url} with {@code ?model=MODEL} (or {@code &model=}) added, unless it already names a model. */
    static URI withModel(URI url, String model) {
        String text = url.toString();
        if (text.contains("model=")) {
            return url;
        }
        return URI.create(text + (text.contains("?") ? "&" : "?") + "model=" + model);
    }
}
