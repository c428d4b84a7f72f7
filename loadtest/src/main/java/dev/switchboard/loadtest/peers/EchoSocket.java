package dev.switchboard.loadtest.peers;

import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * One connection of an {@link EchoLoad}: waits for {@code session.created}, then keeps exactly one
 * {@link EchoLoad#REQUEST} in flight and records each reply's round-trip time. Other events are ignored; an
 * {@code error} event, a close or a transport error before the connection finished counts one error and ends its
 * work ({@link EchoLoad} reports a failed connect through {@link #onWebSocketError} too). Public only because
 * Jetty invokes listeners through public method handles. Threading: Jetty never calls one session's methods
 * concurrently; a failed connect may call {@link #onWebSocketError} from another thread, and the stop flag is atomic
 * so that a connection stops once; {@link #close} may come from the run thread and only closes.
 */
public final class EchoSocket implements Session.Listener.AutoDemanding {
    private final Tally tally;
    private final Runnable onStopped;
    private volatile Session session;
    private long sentNanos;
    private final AtomicBoolean stopped = new AtomicBoolean();

    EchoSocket(Tally tally, Runnable onStopped) {
        this.tally = tally;
        this.onStopped = onStopped;
    }

    @Override
    public void onWebSocketOpen(Session opened) {
        this.session = opened;
    }

    @Override
    public void onWebSocketText(String message) {
        long now = System.nanoTime();
        if (message.contains(EchoLoad.REPLY)) {
            tally.latency(sentNanos, now);
            tally.completed(now);
            next(now);
        } else if (message.contains(EchoLoad.READY)) {
            next(now);
        } else if (message.contains("\"type\":\"error\"")) {
            tally.error(now);
            stop();
        }
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        if (!stopped.get()) {
            tally.error(System.nanoTime());
            stop();
        }
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        if (!stopped.get()) {
            tally.error(System.nanoTime());
            stop();
        }
    }

    void close() {
        Session open = session;
        if (open != null && open.isOpen()) {
            open.close(1000, "done", Callback.NOOP);
        }
    }

    private void next(long now) {
        if (!tally.window().open(now)) {
            stop();
            return;
        }
        sentNanos = System.nanoTime();
        session.sendText(EchoLoad.REQUEST, Callback.NOOP);
    }

    private void stop() {
        if (stopped.compareAndSet(false, true)) {
            onStopped.run();
        }
    }
}
