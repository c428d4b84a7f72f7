package dev.switchboard.bridge.realtime;

import com.fasterxml.jackson.core.JsonFactory;
import dev.switchboard.bridge.upstream.UpstreamEvent;
import dev.switchboard.bridge.upstream.UpstreamListener;
import dev.switchboard.bridge.upstream.UpstreamOutcome;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.eclipse.jetty.websocket.api.exceptions.CloseException;
import org.eclipse.jetty.websocket.client.JettyUpgradeListener;
import org.jspecify.annotations.Nullable;

/**
 * One provider Realtime WebSocket relayed for one broker session.
 *
 * <p>Design: the endpoint is explicitly demanding, and the relay asks Jetty for one provider message at a time.
 * Every trigger (open, message, close, error, resume, retry, cancel) calls {@link #drain()}, which runs the
 * delivery loop on the calling thread unless another thread is already in it (a work-in-progress counter makes
 * the loop single-threaded and lets a concurrent trigger cause one more pass). Only the loop calls the listener
 * and touches the held event, {@code ended} and {@code cancelQueued}, so listener calls never overlap.
 *
 * <p>The {@code inbox} is the hand-off from Jetty: {@code IDLE} (no demand), {@code DEMANDING} (one message
 * requested) or the arrived {@link UpstreamEvent.Relayed}. The loop demands only from {@code IDLE}, only when
 * nothing is held and the relay is not paused, so at most one provider message is ever held and Jetty's
 * {@code demand()} is never called twice for one message. A refused event stays held and is re-offered by the next
 * pass. A failure is recorded once (the first wins) and becomes the End after any message that arrived
 * before it; a cancel drops everything undelivered and becomes the End at once.
 *
 * <p>Client events go through the {@link Outbox}, which has its own serialisation and never calls the listener.
 */
final class RealtimeRelay implements RelayUpstream {
    private static final Object IDLE = "IDLE";
    private static final Object DEMANDING = "DEMANDING";

    private final UpstreamListener listener;
    private final JsonFactory json;
    private final Optional<String> apiKey;
    private final Runnable onBinaryMessage;
    private final Outbox outbox;
    private final Socket socket = new Socket();
    private final AtomicInteger wip = new AtomicInteger();
    private final AtomicReference<Object> inbox = new AtomicReference<>(IDLE);
    private final AtomicReference<UpstreamOutcome.@Nullable Failed> failure = new AtomicReference<>();
    private final AtomicBoolean cancelRequested = new AtomicBoolean();
    // Written by Jetty or broker threads, read by the loop.
    private volatile @Nullable Session session;
    private volatile @Nullable CompletableFuture<Session> connecting;
    private volatile boolean opened;
    private volatile boolean paused;
    private volatile @Nullable String retryAfter;
    // Loop-confined.
    private UpstreamEvent.@Nullable Relayed heldRelayed;
    private UpstreamEvent.@Nullable End heldEnd;
    private boolean cancelQueued;
    private boolean ended;

    /**
     * @param json the connector's shared factory, for reading each event's {@code type}
     * @param apiKey the configured key, kept out of failure messages
     * @param onBinaryMessage told, on a Jetty thread, of each binary message the provider sent (they are dropped)
     */
    RealtimeRelay(UpstreamListener listener, JsonFactory json, Optional<String> apiKey,
                  RealtimeConfig.Limits limits, Runnable onBinaryMessage) {
        this.listener = listener;
        this.json = json;
        this.apiKey = apiKey;
        this.onBinaryMessage = onBinaryMessage;
        this.outbox = new Outbox(limits.maxPendingFrames(), limits.maxPendingChars(), this::fail);
    }

    /** The Jetty endpoint to connect with. */
    Object endpoint() {
        return socket;
    }

    /** Records the handshake's {@code Retry-After} when the provider refuses the upgrade. */
    JettyUpgradeListener upgradeListener() {
        return new JettyUpgradeListener() {
            @Override
            public void onHandshakeResponse(Request request, Response response) {
                if (response.getStatus() != HttpStatus.SWITCHING_PROTOCOLS_101) {
                    retryAfter = response.getHeaders().get(HttpHeader.RETRY_AFTER);
                }
            }
        };
    }

    /** Hands over the pending connect; its failure becomes the End. */
    void connecting(CompletableFuture<Session> connect) {
        connecting = connect;
        connect.whenComplete((open, failed) -> {
            if (failed != null) {
                fail(failed);
            }
        });
        if (cancelRequested.get()) {
            connect.cancel(false);
        }
    }

    @Override
    public boolean trySend(String clientEventJson) {
        return !cancelRequested.get() && failure.get() == null && outbox.offer(clientEventJson);
    }

    @Override
    public void pause() {
        paused = true;
    }

    @Override
    public void resume() {
        paused = false;
        drain();
    }

    @Override
    public void retryDelivery() {
        drain();
    }

    @Override
    public void cancel() {
        if (!cancelRequested.compareAndSet(false, true)) {
            return;
        }
        outbox.close();
        // Paired with onOpen, which sets the session before checking for a cancel: one of the two closes it.
        Session open = session;
        if (open != null) {
            closeNormally(open, "cancelled");
        }
        CompletableFuture<Session> connect = connecting;
        if (connect != null) {
            connect.cancel(false);
        }
        drain();
    }

    /** Records the first failure; later ones, and any after a cancel, are ignored. Any thread. */
    void fail(Throwable cause) {
        outbox.close();
        if (!cancelRequested.get() && failure.get() == null) {
            failure.compareAndSet(null, RelayFailures.outcome(cause, opened, Optional.ofNullable(retryAfter), apiKey));
        }
        drain();
    }

    private void onOpen(Session open) {
        opened = true;
        session = open;
        if (cancelRequested.get() || failure.get() != null) {
            closeNormally(open, "cancelled");
        } else {
            outbox.open(open);
        }
        drain();
    }

    private void onMessage(String text) {
        long receivedNanos = System.nanoTime();
        inbox.set(new UpstreamEvent.Relayed(EventType.of(json, text), text, receivedNanos));
        drain();
    }

    private void onBinary(Callback callback) {
        callback.succeed();
        onBinaryMessage.run();
        inbox.set(IDLE);
        drain();
    }

    private void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            loop();
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }

    private void loop() {
        while (!ended) {
            if (cancelRequested.get() && !cancelQueued) {
                // A cancel drops what was not delivered, an End already held behind a refusal too.
                cancelQueued = true;
                heldRelayed = null;
                heldEnd = new UpstreamEvent.End(new UpstreamOutcome.Cancelled());
            }
            if (heldRelayed == null && heldEnd == null && !takeNext()) {
                return;
            }
            UpstreamEvent next = heldRelayed != null ? heldRelayed : heldEnd;
            if (!listener.tryDeliver(next)) {
                return;
            }
            heldRelayed = null;
            if (next instanceof UpstreamEvent.End) {
                heldEnd = null;
                ended = true;
                onEnded();
            }
        }
        discardAfterEnd();
    }

    /** Takes the arrived message or the recorded failure into hand; otherwise demands one message if allowed. */
    private boolean takeNext() {
        // Failure first, inbox second: Jetty hands over a message before it reports the close or error that
        // follows it, so once a failure is seen, a message that came before it is seen too and goes first.
        UpstreamOutcome.Failed failed = failure.get();
        Object in = inbox.get();
        if (in instanceof UpstreamEvent.Relayed relayed) {
            inbox.set(IDLE);
            heldRelayed = relayed;
            return true;
        }
        if (failed != null) {
            heldEnd = new UpstreamEvent.End(failed);
            return true;
        }
        if (!paused) {
            demand();
        }
        return false;
    }

    private void demand() {
        Session open = session;
        if (open != null && inbox.compareAndSet(IDLE, DEMANDING)) {
            try {
                open.demand();
            } catch (RuntimeException e) {
                // The inbox stays DEMANDING: nothing more is asked of a connection that refused a demand.
                fail(e);
            }
        }
    }

    /**
     * After the End, messages still arriving are dropped, and reading goes on so that Jetty sees the provider's
     * reply to our close and releases the connection instead of holding it until the idle timeout.
     */
    private void discardAfterEnd() {
        if (inbox.get() instanceof UpstreamEvent.Relayed) {
            inbox.set(IDLE);
        }
        demand();
    }

    private void onEnded() {
        outbox.close();
        Session open = session;
        if (open != null) {
            closeNormally(open, "relay ended");
        }
        CompletableFuture<Session> connect = connecting;
        if (connect != null) {
            connect.cancel(false);
        }
    }

    private static void closeNormally(Session open, String reason) {
        try {
            open.close(StatusCode.NORMAL, reason, Callback.NOOP);
        } catch (RuntimeException e) {
            // Already closed or closing: nothing more to release.
        }
    }

    /**
     * The Jetty endpoint: explicitly demanding (not {@link Session.Listener.AutoDemanding}), so Jetty reads a
     * provider message only after {@link Session#demand()}. Public only because Jetty binds endpoint methods
     * through a public lookup; unreachable outside this package. Ping and pong are left to Jetty, which answers
     * pings and demands past control frames by itself.
     */
    public final class Socket implements Session.Listener {
        private Socket() {
        }

        @Override
        public void onWebSocketOpen(Session open) {
            onOpen(open);
        }

        @Override
        public void onWebSocketText(String message) {
            onMessage(message);
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            onBinary(callback);
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            fail(cause);
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            fail(new CloseException(statusCode, reason));
        }
    }
}
