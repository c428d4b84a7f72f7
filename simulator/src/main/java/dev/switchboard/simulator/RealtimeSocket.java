package dev.switchboard.simulator;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.jspecify.annotations.Nullable;

/**
 * One Realtime WebSocket connection of the simulator. Public only because Jetty binds listener methods through
 * method handles, which requires a public class; it has no public constructor and is not part of the simulator's
 * API.
 *
 * <p>Threading: Jetty calls the listener methods (never concurrently for one connection); each hands its work to
 * the connection's {@link SerialExecutor}, which also runs response pacing, so the {@link RealtimeSession} is
 * only ever touched by one thread at a time. Demand is explicit: the next client frame is read once the previous
 * one was handled and the outbound backlog is small ({@link EventWriter#readNext()}).
 *
 * <p>While open the connection is {@linkplain InFlight in flight}: closing the simulator closes it with
 * {@code 1001}. The close is counted once, whichever of close and error Jetty reports.
 */
public final class RealtimeSocket implements Session.Listener, InFlight.Work {

    private final SimulatorRuntime runtime;
    private final RealtimeIds ids;
    private final String model;
    private final FaultProfile faults;
    private final Map<String, String> headerMetadata;
    private final AtomicLong responseSequence;
    private final SerialExecutor executor = new SerialExecutor();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile @Nullable EventWriter out;
    private volatile @Nullable RealtimeSession session;

    RealtimeSocket(SimulatorRuntime runtime, long connection, String model, FaultProfile faults,
            Map<String, String> headerMetadata, AtomicLong responseSequence) {
        this.runtime = runtime;
        this.ids = new RealtimeIds(connection);
        this.model = model;
        this.faults = faults;
        this.headerMetadata = Map.copyOf(headerMetadata);
        this.responseSequence = responseSequence;
    }

    /** Creates the session and sends {@code session.created}; not for callers outside Jetty. */
    @Override
    public void onWebSocketOpen(Session ws) {
        runtime.stats().onRealtimeSessionOpened();
        EventWriter writer = new EventWriter(ws, ids);
        RealtimeSession created = new RealtimeSession(new ConnectionContext(writer, executor, ids, runtime), model,
                faults, headerMetadata, responseSequence);
        this.out = writer;
        this.session = created;
        if (!runtime.inFlight().tryAdd(this)) {
            writer.close(StatusCode.SHUTDOWN, "provider simulator stopping");
            return;
        }
        executor.execute(() -> {
            created.open();
            writer.readNext();
        });
    }

    /** Handles one client event; not for callers outside Jetty. */
    @Override
    public void onWebSocketText(String text) {
        long receivedNanos = System.nanoTime();
        RealtimeSession current = Objects.requireNonNull(session, "session");
        EventWriter writer = Objects.requireNonNull(out, "out");
        executor.execute(() -> {
            current.onText(text, receivedNanos);
            writer.readNext();
        });
    }

    /** Answers a binary frame with an error event; not for callers outside Jetty. */
    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
        callback.succeed();
        RealtimeSession current = Objects.requireNonNull(session, "session");
        EventWriter writer = Objects.requireNonNull(out, "out");
        executor.execute(() -> {
            current.onBinary();
            writer.readNext();
        });
    }

    /** Ends the session; not for callers outside Jetty. */
    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        onEnded();
    }

    /** Ends the session; not for callers outside Jetty. */
    @Override
    public void onWebSocketError(Throwable cause) {
        onEnded();
    }

    /** Closes the connection with {@code 1001} because the simulator is stopping. */
    @Override
    public void abort(Throwable cause) {
        EventWriter writer = out;
        if (writer != null) {
            executor.execute(() -> writer.close(StatusCode.SHUTDOWN, "provider simulator stopping"));
        }
    }

    private void onEnded() {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        runtime.inFlight().remove(this);
        runtime.stats().onRealtimeSessionClosed();
        RealtimeSession current = session;
        if (current != null) {
            executor.execute(current::onClosed);
        }
    }
}
