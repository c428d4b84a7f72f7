package dev.switchboard.loadtest;

import java.io.IOException;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.jspecify.annotations.Nullable;

/**
 * One simulated user: a WebSocket session to the broker and the request loop the scenario gives it.
 *
 * <p>Design note. Two kinds of thread reach a client: Jetty threads deliver its frames and life-cycle callbacks
 * through a {@link ListenerAdapter}, one at a time (Jetty never calls a session's listener concurrently, and an
 * auto-demanding listener asks for the next frame only when a callback returns), and the run's scheduler thread
 * starts connects and sends scheduled requests. All mutable state is guarded by this object's monitor. Each
 * callback decides under the monitor, then acts after releasing it ({@link Follow}): Jetty sends and scheduler
 * submissions never run while holding it. The scratch fields {@link #frame} and {@link #followIntended} are only
 * touched by the frame callback, which is never concurrent with itself.
 *
 * <p>Invariants: at most one request is active (the broker allows one response at a time); every request that
 * becomes active decrements {@link InFlight} exactly once (response.done, refusal, close or end of run); seq is
 * checked on every event including errors.
 */
final class VirtualClient implements FrameAssembler.Handler {
    private enum State { NEW, CONNECTING, OPEN, CLOSING, CLOSED }

    /** What a frame callback does once it has released the monitor. */
    private enum Follow { NOTHING, CANCEL, SEND, SCHEDULE }

    private final RunContext run;
    private final Measurements m;
    private final SplittableRandom random;
    private final ParsedFrame frame = new ParsedFrame();
    private final Callback sendCallback = Callback.from(() -> { }, this::onSendFailed);
    private final CountDownLatch closed = new CountDownLatch(1);
    private long followIntended;

    private State state = State.NEW;
    private @Nullable Session session;
    private long connectIntendedNanos;
    private boolean connectSettled;
    private boolean countedOpen;
    private long lastSeq;
    private final SlotQueue pending = new SlotQueue();
    private boolean active;
    private boolean started;
    private long intendedNanos;
    private int deltas;
    private long lastDeltaNanos;
    private int cancelAfter;
    private boolean cancelSent;
    private long cancelSentNanos;
    private String doneResponseId = "";
    private int racedCancels;

    VirtualClient(RunContext run, SplittableRandom random) {
        this.run = run;
        this.m = run.measurements();
        this.random = random;
    }

    /** Starts the WebSocket upgrade; connect time is measured from {@code intendedNanos}. Scheduler thread. */
    void connect(long intendedNanos) {
        synchronized (this) {
            if (state != State.NEW) {
                return;
            }
            state = State.CONNECTING;
            connectIntendedNanos = intendedNanos;
        }
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        request.setHeader("Authorization", "Bearer " + run.settings().key());
        request.setTimeout(run.settings().connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
        ListenerAdapter listener = new ListenerAdapter(this, Transport.MAX_TEXT_MESSAGE_BYTES);
        try {
            run.client().connect(listener, run.settings().endpoint(), request).whenComplete((s, failure) -> {
                if (failure != null) {
                    onConnectFailed(failure);
                }
            });
        } catch (IOException | RuntimeException e) {
            onConnectFailed(e);
        }
    }

    /**
     * A request is due at {@code intendedNanos}: send it now, or queue it (late) while the session is busy or
     * still connecting. Called on the scheduler thread.
     */
    void sendRequest(long intendedNanos) {
        Session s;
        synchronized (this) {
            if (run.stopping() || state == State.CLOSING || state == State.CLOSED) {
                m.requestsUnsent.increment();
                return;
            }
            if (state != State.OPEN || active) {
                // Open workload: the slot's time has come but the session cannot take it yet. It goes out as
                // soon as the session is free, and its latency still counts from intendedNanos.
                if (pending.offer(intendedNanos)) {
                    m.requestsLate.increment();
                } else {
                    m.requestsUnsent.increment();
                }
                return;
            }
            begin(intendedNanos);
            s = session;
        }
        transmit(s, intendedNanos);
    }

    @Override
    public void onOpen(Session opened) {
        boolean closeNow;
        synchronized (this) {
            session = opened;
            closeNow = state == State.CLOSING;
        }
        if (closeNow) {
            opened.close(1000, "load test finished", Callback.NOOP);
        }
    }

    @Override
    public void onText(byte[] utf8, int offset, int length) {
        long now = System.nanoTime();
        long wallMicros = run.stampsRequested() ? Stamp.wallMicros() : 0;
        m.events.increment();
        if (!run.reader().read(utf8, offset, length, frame)) {
            m.error("unparseable_frame", "a server frame was not a JSON object");
            return;
        }
        Follow follow;
        Session s;
        synchronized (this) {
            checkSeq(frame.seq);
            if (state == State.CLOSING || state == State.CLOSED) {
                return;
            }
            follow = switch (frame.kind) {
                case SESSION_CREATED -> onSessionCreated(now);
                case RESPONSE_CREATED -> onResponseCreated();
                case TEXT_DELTA -> onDelta(now, wallMicros);
                case RESPONSE_DONE -> onResponseDone(now);
                case ERROR -> onError(now);
                case OTHER -> Follow.NOTHING;
            };
            s = session;
        }
        follow(follow, s);
    }

    @Override
    public void onClose(int statusCode, String reason) {
        synchronized (this) {
            boolean expected = state == State.CLOSING;
            state = State.CLOSED;
            if (countedOpen) {
                countedOpen = false;
                m.sessionsOpen.decrementAndGet();
            }
            if (!expected) {
                m.error("closed_" + statusCode, "the broker closed the connection: " + statusCode + " " + reason);
            }
            endActive();
            m.requestsUnsent.add(pending.clear());
            settleConnect();
        }
        closed.countDown();
    }

    @Override
    public void onError(Throwable cause) {
        synchronized (this) {
            // Before onOpen a failure belongs to the upgrade, which the connect future reports.
            if (session == null || state == State.CLOSING || state == State.CLOSED) {
                return;
            }
        }
        m.error("connection_error", describe(cause));
    }

    /** End of the duration: queued requests will not be sent. Run thread. */
    void dropPending() {
        synchronized (this) {
            m.requestsUnsent.add(pending.clear());
        }
    }

    /**
     * End of the grace period: counts an active request as unfinished and queued ones as unsent, stops reacting
     * to frames (so a late response.done is not an error), and closes the session with 1000. Returns false when
     * there was no session to close. Run thread.
     */
    boolean close() {
        Session s;
        synchronized (this) {
            if (state == State.CLOSED) {
                return false;
            }
            if (active) {
                m.error("response_unfinished", "no response.done within --grace after the duration");
                endActive();
            }
            m.requestsUnsent.add(pending.clear());
            if (state == State.CONNECTING) {
                m.error("connect_unfinished", "no session.created by the end of the run");
            }
            settleConnect();
            state = State.CLOSING;
            s = session;
        }
        if (s != null) {
            s.close(1000, "load test finished", Callback.NOOP);
        }
        return s != null;
    }

    /** Waits for the close handshake begun by {@link #close()}, at most until {@code deadlineNanos}. */
    boolean awaitClosed(long deadlineNanos) throws InterruptedException {
        return closed.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void onConnectFailed(Throwable failure) {
        synchronized (this) {
            if (state != State.CONNECTING) {
                return;
            }
            state = State.CLOSED;
            m.error("connect_failed", describe(failure));
            m.requestsUnsent.add(pending.clear());
            settleConnect();
        }
        closed.countDown();
    }

    private void onSendFailed(Throwable failure) {
        synchronized (this) {
            if (state == State.CLOSING || state == State.CLOSED) {
                return;
            }
        }
        m.error("send_failed", describe(failure));
    }

    // ---- decisions, all called holding the monitor ----

    private void checkSeq(long seq) {
        if (seq < 0) {
            return; // a connection-level event outside the session's seq stream
        }
        if (seq == lastSeq + 1) {
            lastSeq = seq;
        } else if (seq <= lastSeq) {
            m.seqDuplicate(lastSeq, seq);
        } else {
            m.seqGap(lastSeq, seq);
            lastSeq = seq;
        }
    }

    private Follow onSessionCreated(long now) {
        if (state != State.CONNECTING) {
            m.error("unexpected_session_created", "a second session.created on one connection");
            return Follow.NOTHING;
        }
        state = State.OPEN;
        countedOpen = true;
        m.sessionsOpen.incrementAndGet();
        m.sessionsConnected.incrementAndGet();
        Measurements.recordNanos(m.connect, now - connectIntendedNanos);
        settleConnect();
        if (!run.scenario().sendsRequests()) {
            return Follow.NOTHING;
        }
        if (run.settings().open()) {
            return takePending();
        }
        // Closed workload: start at a random point within one think time so sessions that connected together
        // do not fire in lockstep.
        long think = run.thinkNanos();
        return scheduleAt(now + (think > 0 ? random.nextLong(think) : 0));
    }

    private Follow onResponseCreated() {
        if (active) {
            started = true;
        }
        return Follow.NOTHING;
    }

    private Follow onDelta(long now, long wallMicros) {
        m.deltas.increment();
        if (!active || (!doneResponseId.isEmpty() && doneResponseId.equals(frame.responseId))) {
            m.error("stale_delta_after_done", "a delta of response " + frame.responseId
                    + " arrived after its response.done");
            return Follow.NOTHING;
        }
        deltas++;
        if (deltas == 1) {
            Measurements.recordNanos(m.ttft, now - intendedNanos);
        } else {
            Measurements.recordNanos(m.interDelta, now - lastDeltaNanos);
        }
        lastDeltaNanos = now;
        if (frame.stampMicros != Stamp.NONE && run.stampsRequested()) {
            long added = wallMicros - frame.stampMicros;
            m.stampedDeltas.increment();
            if (added < 0) {
                m.negativeStamps.increment();
            }
            Measurements.recordMicros(m.brokerDelta, added);
            if (deltas == 1) {
                Measurements.recordMicros(m.brokerTtft, added);
            }
        }
        if (deltas == cancelAfter && !cancelSent) {
            cancelSent = true;
            cancelSentNanos = System.nanoTime();
            return Follow.CANCEL;
        }
        return Follow.NOTHING;
    }

    private Follow onResponseDone(long now) {
        if (!active) {
            m.error("unexpected_response_done", "response.done without an active request");
            return Follow.NOTHING;
        }
        doneResponseId = frame.responseId;
        switch (frame.status) {
            case "completed" -> {
                m.completed.increment();
                if (cancelSent) {
                    // The response finished before our cancel reached the broker, which answers the cancel with
                    // response_cancel_not_active: expected, not an error.
                    racedCancels++;
                }
            }
            case "cancelled" -> {
                m.cancelled.increment();
                if (cancelSent) {
                    m.cancelsAcknowledged.increment();
                    Measurements.recordNanos(m.cancelAck, now - cancelSentNanos);
                }
            }
            case "failed" -> {
                m.failed.increment();
                m.error("response_failed", "response.done status failed: " + frame.statusReason);
            }
            case "incomplete" -> m.incomplete.increment();
            default -> m.error("unknown_response_status", "response.done status '" + frame.status + "'");
        }
        endActive();
        return next(now);
    }

    private Follow onError(long now) {
        String code = frame.errorCode.isEmpty() ? "error" : frame.errorCode;
        if (racedCancels > 0 && code.equals("response_cancel_not_active")
                && frame.errorEventId.equals(ClientFrames.CANCEL_ID)) {
            racedCancels--;
            m.cancelsRaced.increment();
            return Follow.NOTHING;
        }
        m.error(code, frame.errorMessage);
        if (active && !started && frame.errorEventId.equals(ClientFrames.CREATE_ID)) {
            // The broker refused our response.create: no response.done will follow, so the request ends here.
            endActive();
            return next(now);
        }
        return Follow.NOTHING;
    }

    private Follow next(long now) {
        if (run.settings().open()) {
            return takePending();
        }
        return scheduleAt(now + run.thinkNanos());
    }

    private Follow scheduleAt(long intended) {
        if (run.stopping() || intended - run.endNanos() >= 0) {
            return Follow.NOTHING;
        }
        followIntended = intended;
        return Follow.SCHEDULE;
    }

    private Follow takePending() {
        if (pending.isEmpty() || run.stopping()) {
            return Follow.NOTHING;
        }
        long intended = pending.poll();
        begin(intended);
        followIntended = intended;
        return Follow.SEND;
    }

    private void begin(long intended) {
        active = true;
        started = false;
        intendedNanos = intended;
        deltas = 0;
        cancelAfter = run.scenario().cancelAfterDeltas(random);
        cancelSent = false;
        run.inFlight().increment();
    }

    private void endActive() {
        if (active) {
            active = false;
            run.inFlight().decrement();
        }
    }

    private void settleConnect() {
        if (!connectSettled) {
            connectSettled = true;
            run.connectSettled();
        }
    }

    // ---- actions, called without the monitor ----

    private void follow(Follow follow, @Nullable Session s) {
        switch (follow) {
            case NOTHING -> {
            }
            case CANCEL -> {
                if (s != null) {
                    m.cancelsSent.increment();
                    s.sendText(run.frames().cancel(), sendCallback);
                }
            }
            case SEND -> transmit(s, followIntended);
            case SCHEDULE -> schedule(followIntended);
        }
    }

    private void schedule(long intended) {
        m.requestsScheduled.increment();
        try {
            run.scheduler().schedule(() -> sendRequest(intended), Math.max(0, intended - System.nanoTime()),
                    TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            m.requestsUnsent.increment(); // the run is shutting down
        }
    }

    private void transmit(@Nullable Session s, long intended) {
        if (s == null) {
            // Not expected: a client is OPEN only after onOpen. Keep the in-flight count honest anyway.
            synchronized (this) {
                endActive();
            }
            m.requestsUnsent.increment();
            return;
        }
        Measurements.recordNanos(m.sendLag, System.nanoTime() - intended);
        m.requestsSent.increment();
        s.sendText(run.frames().userMessage(), sendCallback);
        s.sendText(run.frames().responseCreate(), sendCallback);
    }

    static String describe(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
