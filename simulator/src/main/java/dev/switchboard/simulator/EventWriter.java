package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.jspecify.annotations.Nullable;

/**
 * The server side of one Realtime WebSocket: stamps every event with a unique {@code event_id}, hands frames to
 * Jetty in call order, and paces reading against writing.
 *
 * <p>Ordering: every send happens on the connection's {@link SerialExecutor}, and Jetty queues frames in the
 * order {@link Session#sendText} is called, so events reach the client in the order the session decided them.
 *
 * <p>Backpressure: bytes handed to Jetty and not yet written are counted. The next client frame is demanded only
 * while fewer than {@value #READ_PAUSE_BYTES} bytes wait, so a client that sends without reading stalls in TCP
 * instead of growing server memory; paced responses additionally schedule their next tick only after their
 * previous batch was written (see {@link RealtimeResponse}).
 *
 * <p>Muting ({@code no_response} and {@code stall_after} faults) drops every later frame. Send methods and
 * {@link #mute()} are confined to the executor; write completions arrive on Jetty threads and only touch the
 * atomics.
 */
final class EventWriter {

    /** Unwritten bytes above which no further client frame is read. */
    static final long READ_PAUSE_BYTES = 1L << 20;

    private final Session ws;
    private final RealtimeIds ids;
    private final AtomicLong unsentBytes = new AtomicLong();
    private final AtomicBoolean readWanted = new AtomicBoolean();
    private boolean muted;

    EventWriter(Session ws, RealtimeIds ids) {
        this.ws = ws;
        this.ids = ids;
    }

    /** A new server event of {@code type} carrying its {@code event_id}; the caller adds the payload. */
    ObjectNode event(String type) {
        ObjectNode event = SimulatorJson.object();
        event.put("type", type);
        event.put("event_id", ids.nextEventId());
        return event;
    }

    String nextEventId() {
        return ids.nextEventId();
    }

    void send(ObjectNode event) {
        send(event.toString(), null);
    }

    /**
     * Sends one text frame; {@code afterWritten}, when given, runs once Jetty has written it (on a Jetty thread;
     * it must only hand work back to the executor). It never runs if the write fails or the writer is muted.
     */
    void send(String frame, @Nullable Runnable afterWritten) {
        if (muted) {
            return;
        }
        long size = frame.length();
        unsentBytes.addAndGet(size);
        ws.sendText(frame, Callback.from(() -> {
            onWritten(size);
            if (afterWritten != null) {
                afterWritten.run();
            }
        }, failure -> onWritten(size)));
    }

    /** Drops every later frame; the connection stays open. */
    void mute() {
        muted = true;
    }

    boolean muted() {
        return muted;
    }

    /** Asks for the next client frame now, or once the unwritten bytes fall under the pause level. */
    void readNext() {
        readWanted.set(true);
        demandIfDrained();
    }

    /** Ends the connection without a close frame, as a crashed provider or a dropped TCP connection would. */
    void disconnect() {
        muted = true;
        ws.disconnect();
    }

    /** Closes the connection with a close frame. */
    void close(int code, String reason) {
        muted = true;
        if (ws.isOpen()) {
            ws.close(code, reason, Callback.NOOP);
        }
    }

    private void onWritten(long size) {
        unsentBytes.addAndGet(-size);
        demandIfDrained();
    }

    private void demandIfDrained() {
        // Either the reader (readNext) or the last write completion sees both conditions and demands, exactly once.
        if (unsentBytes.get() < READ_PAUSE_BYTES && readWanted.compareAndSet(true, false)) {
            ws.demand();
        }
    }
}
