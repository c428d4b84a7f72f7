package dev.switchboard.loadtest;

import java.io.IOException;
import java.net.URI;
import java.util.Objects;
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
 * One simulated user: a broker session, the WebSocket connection(s) carrying it, and its request loop
 * ({@link ResponseLoop}).
 *
 * <p>Design note. Two kinds of thread reach a client: Jetty threads deliver its frames and life-cycle callbacks
 * through a per-connection {@link Link}, one at a time per connection (Jetty never calls a connection's listener
 * concurrently, and asks for the next frame only when a callback returns), and the run's scheduler thread
 * starts connects and reconnects and sends scheduled requests. All mutable state, the loop's included, is guarded
 * by this object's monitor. Each callback decides under the monitor, then acts after releasing it
 * ({@link Follow}): Jetty sends, disconnects and scheduler submissions never run while holding it.
 *
 * <p>Connections and generations. In the resume scenario a session outlives its connection: the client drops a
 * connection mid-response ({@link Session#disconnect()}, no close handshake), stays away, and opens a new one
 * that resumes the session ({@link ResumeState}). Each connection is a generation; dropping one increments
 * {@link #generation}, and every callback of an older generation (frames Jetty had already read, its close) is
 * ignored, so the client has processed exactly the events up to the {@code seq} it resumes from. The scratch
 * {@link #frame} is only touched by the current generation's frame callback; a dropped connection's callback
 * that is still finishing its drop no longer touches it.
 *
 * <p>Roles. A normal client runs the request loop. A slow client (slow-consumer scenario, {@link SlowPlan})
 * sends one request for a long response, stops reading after its first delta ({@link PausableListener}), and
 * records no latency. {@code seq} is checked on every event of the session, across connections, in every role.
 */
final class VirtualClient {
    /** The close code of a slow consumer ({@code CloseReason.SLOW_CONSUMER} on the broker). */
    static final int SLOW_CONSUMER_CODE = 4008;
    /** Jetty's code for a connection that ended without a close handshake. */
    static final int ABNORMAL_CLOSE_CODE = 1006;

    private enum State { NEW, CONNECTING, OPEN, OFFLINE, RESUMING, CLOSING, CLOSED }

    private final RunContext run;
    private final Measurements m;
    private final ParsedFrame frame = new ParsedFrame();
    private final Callback sendCallback = Callback.from(() -> { }, this::onSendFailed);
    private final CountDownLatch closed = new CountDownLatch(1);
    private final @Nullable ResumeState resume;
    private final @Nullable SlowPlan slow;
    private final ResponseLoop loop;

    private State state = State.NEW;
    /** The current connection's generation; written under the monitor, read without it to skip stale frames. */
    private volatile int generation;
    private @Nullable Session session;
    private @Nullable PausableListener pausable;
    private long connectIntendedNanos;
    private boolean connectSettled;
    private boolean countedOpen;
    private long lastSeq;
    private boolean slowPaused;

    /** A client for session {@code index} (0-based) of the run, drawing from its own {@code random} stream. */
    VirtualClient(RunContext run, SplittableRandom random, int index) {
        this.run = run;
        this.m = run.measurements();
        this.resume = run.scenario().resumePlan().map(plan -> new ResumeState(plan, m, index)).orElse(null);
        this.slow = run.scenario().slowPlan().filter(plan -> plan.isSlow(index)).orElse(null);
        this.loop = new ResponseLoop(run, random, resume);
    }

    /** Whether this is a slow session, which takes no part in the request schedule. */
    boolean slow() {
        return slow != null;
    }

    /** Starts the WebSocket upgrade; connect time is measured from {@code intendedNanos}. Scheduler thread. */
    void connect(long intendedNanos) {
        int gen;
        synchronized (this) {
            if (state != State.NEW) {
                return;
            }
            state = State.CONNECTING;
            connectIntendedNanos = intendedNanos;
            gen = generation;
        }
        open(resume != null ? resume.firstUri() : run.settings().endpoint(), gen);
    }

    /** Opens connection {@code gen} to {@code uri}, with the run's credentials. Without the monitor. */
    private void open(URI uri, int gen) {
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        request.setHeader("Authorization", "Bearer " + run.settings().key());
        request.setTimeout(run.settings().connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
        Link link = new Link(gen);
        Object listener;
        if (slow != null) {
            PausableListener p = new PausableListener(link, Transport.MAX_TEXT_MESSAGE_BYTES);
            synchronized (this) {
                pausable = p;
            }
            listener = p;
        } else {
            listener = new ListenerAdapter(link, Transport.MAX_TEXT_MESSAGE_BYTES);
        }
        try {
            run.client().connect(listener, uri, request).whenComplete((s, failure) -> {
                if (failure != null) {
                    onConnectFailed(gen, failure);
                }
            });
        } catch (IOException | RuntimeException e) {
            onConnectFailed(gen, e);
        }
    }

    /** The offline time after a drop is over: resume the session on a new connection. Scheduler thread. */
    private void reconnect() {
        URI uri;
        int gen;
        synchronized (this) {
            if (state != State.OFFLINE || resume == null) {
                return; // the run closed this client meanwhile
            }
            state = State.RESUMING;
            gen = generation;
            uri = resume.resumeUri();
            resume.onReconnect(System.nanoTime());
        }
        open(uri, gen);
    }

    /**
     * A request is due at {@code intendedNanos}: send it now, or queue it (late) while the session is busy,
     * still connecting or resuming. Called on the scheduler thread.
     */
    void sendRequest(long intendedNanos) {
        Session s;
        synchronized (this) {
            if (run.stopping() || state == State.CLOSING || state == State.CLOSED) {
                m.requestsUnsent.increment();
                return;
            }
            if (state != State.OPEN || loop.active()) {
                loop.queue(intendedNanos);
                return;
            }
            loop.begin(intendedNanos);
            s = session;
        }
        transmit(s, intendedNanos);
    }

    private void onOpen(int gen, Session opened) {
        boolean closeNow;
        boolean probe;
        synchronized (this) {
            closeNow = gen != generation || state == State.CLOSING;
            probe = !closeNow && state == State.RESUMING;
            if (!closeNow) {
                session = opened;
            }
        }
        if (closeNow) {
            opened.close(1000, "load test finished", Callback.NOOP);
        } else if (probe) {
            // Read by the broker only after it has written the replay: its answer marks the end of the replay.
            opened.sendText(run.frames().resumeProbe(), sendCallback);
        }
    }

    private void onText(int gen, byte[] utf8, int offset, int length) {
        if (gen != generation) {
            return; // read before its connection was dropped; the resume replays it
        }
        long now = System.nanoTime();
        long wallMicros = run.stampsRequested() ? Stamp.wallMicros() : 0;
        m.events.increment();
        if (!run.reader().read(utf8, offset, length, frame)) {
            m.error("unparseable_frame", "a server frame was not a JSON object");
            return;
        }
        Follow follow;
        Session s;
        long at;
        synchronized (this) {
            if (gen != generation) {
                return;
            }
            checkSeq(frame.seq);
            if (resume != null) {
                resume.onEvent();
                if (frame.seq >= 0) {
                    resume.onSeq(frame.seq, now);
                }
            }
            if (state == State.CLOSING || state == State.CLOSED) {
                return;
            }
            s = session;
            follow = dispatch(now, wallMicros);
            at = switch (follow) {
                case DROP -> drop(now);
                case SLOW_PAUSE -> pause(now);
                default -> loop.followIntended();
            };
            if (follow != Follow.DROP) {
                s = session;
            }
        }
        follow(follow, s, at);
    }

    /** Decides what the parsed {@link #frame} calls for. Holding the monitor. */
    private Follow dispatch(long now, long wallMicros) {
        return switch (frame.kind) {
            case SESSION_CREATED -> onSessionCreated(now);
            case SESSION_RESUMED -> onSessionResumed(now);
            case SESSION_UPDATED -> {
                if (resume != null) {
                    resume.onProbeAnswer(frame.seq, now);
                }
                yield Follow.NOTHING;
            }
            case RESPONSE_CREATED -> {
                loop.onResponseCreated();
                yield Follow.NOTHING;
            }
            case TEXT_DELTA -> {
                m.deltas.increment();
                yield slow != null ? slowDelta() : loop.onDelta(frame, now, wallMicros, state == State.OPEN);
            }
            case TEXT_DONE -> {
                loop.onTextDone(frame);
                yield Follow.NOTHING;
            }
            case RESPONSE_DONE -> slow != null ? Follow.NOTHING : loop.onResponseDone(frame, now);
            case ERROR -> state == State.RESUMING && resume != null && resume.onRefused(frame.errorCode)
                    ? Follow.NOTHING : loop.onError(frame, now);
            case RATE_LIMITS_UPDATED -> {
                m.rateLimitsUpdated.increment();
                yield Follow.NOTHING;
            }
            case OTHER -> Follow.NOTHING;
        };
    }

    private void onClose(int gen, int statusCode, String reason) {
        synchronized (this) {
            if (gen != generation) {
                return; // the connection this client dropped
            }
            // A refused cross-node resume ends with the broker's close (4410): counted as refused, not an error.
            boolean expected = state == State.CLOSING
                    || (state == State.RESUMING && resume != null && resume.onClosedWhileResuming(statusCode));
            state = State.CLOSED;
            if (countedOpen) {
                countedOpen = false;
                m.sessionsOpen.decrementAndGet();
            }
            if (slow != null && !expected) {
                expected = countSlowClose(slow, statusCode);
            }
            if (!expected) {
                m.error("closed_" + statusCode, "the broker closed the connection: " + statusCode + " " + reason);
            }
            loop.endActive();
            m.requestsUnsent.add(loop.clearPending());
            settleConnect();
        }
        closed.countDown();
    }

    /**
     * Classifies the broker's close of a slow session: the 4008 frame, or (1006) the connection cut before the
     * session read that frame. Both are what the scenario provokes; anything else is an error.
     */
    private static boolean countSlowClose(SlowPlan plan, int statusCode) {
        if (statusCode == SLOW_CONSUMER_CODE) {
            plan.closedSlow.increment();
        } else if (statusCode == ABNORMAL_CLOSE_CODE) {
            plan.closedAbruptly.increment();
        } else {
            plan.closedOther.increment();
            return false;
        }
        return true;
    }

    private void onError(int gen, Throwable cause) {
        synchronized (this) {
            // Before onOpen a failure belongs to the upgrade, which the connect future reports. A paused slow
            // session's connection failing is how a cut shows first; its close (1006) is classified instead.
            if (gen != generation || session == null || state == State.CLOSING || state == State.CLOSED
                    || slowPaused) {
                return;
            }
        }
        m.error("connection_error", describe(cause));
    }

    /** End of the duration: queued requests will not be sent. Run thread. */
    void dropPending() {
        synchronized (this) {
            m.requestsUnsent.add(loop.clearPending());
        }
    }

    /**
     * End of the grace period: counts an active request as unfinished and queued ones as unsent, stops reacting
     * to frames (so a late response.done is not an error), and closes the session with 1000, which ends it on the
     * broker. A slow client reads again first, so that the close handshake can complete. Returns false when
     * there was no connection to close. Run thread.
     */
    boolean close() {
        Session s;
        PausableListener p;
        synchronized (this) {
            if (state == State.CLOSED) {
                return false;
            }
            if (loop.active()) {
                m.error("response_unfinished", "no response.done within --grace after the duration");
                loop.endActive();
            }
            m.requestsUnsent.add(loop.clearPending());
            if (state == State.CONNECTING) {
                m.error("connect_unfinished", "no session.created by the end of the run");
            } else if (state == State.RESUMING) {
                m.error("resume_unanswered", "no session.resumed (nor a refusal) by the end of the run");
            }
            if (slow != null && state == State.OPEN) {
                slow.notClosed.increment();
            }
            settleConnect();
            state = State.CLOSING;
            s = session;
            p = pausable;
        }
        if (p != null) {
            p.resume();
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

    private void onConnectFailed(int gen, Throwable failure) {
        synchronized (this) {
            if (gen != generation || (state != State.CONNECTING && state != State.RESUMING)) {
                return;
            }
            m.error(state == State.RESUMING ? "resume_connect_failed" : "connect_failed", describe(failure));
            if (state == State.RESUMING && resume != null) {
                resume.onReconnectFailed();
            }
            state = State.CLOSED;
            loop.endActive();
            m.requestsUnsent.add(loop.clearPending());
            settleConnect();
        }
        closed.countDown();
    }

    private void onSendFailed(Throwable failure) {
        synchronized (this) {
            // A resume probe on a connection the broker refuses and closes may fail: the close reports it.
            if (state == State.OFFLINE || state == State.RESUMING || state == State.CLOSING
                    || state == State.CLOSED) {
                return;
            }
        }
        m.error("send_failed", describe(failure));
    }

    /** Reads again after {@code --slow-for}. Scheduler thread. */
    private void resumeReading() {
        PausableListener p;
        synchronized (this) {
            p = pausable;
        }
        if (p != null) {
            p.resume();
        }
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
            m.error("unexpected_session_created", "a session.created on a connection that did not open a session");
            return Follow.NOTHING;
        }
        state = State.OPEN;
        countedOpen = true;
        m.sessionsOpen.incrementAndGet();
        m.sessionsConnected.incrementAndGet();
        Measurements.recordNanos(m.connect, now - connectIntendedNanos);
        settleConnect();
        if (resume != null) {
            resume.onSessionCreated(frame.resumeToken);
        }
        return slow != null ? Follow.SLOW_REQUEST : loop.onSessionCreated(now);
    }

    private Follow onSessionResumed(long now) {
        if (resume == null || state != State.RESUMING) {
            m.error("unexpected_session_resumed", "a session.resumed on a connection that did not resume");
            return Follow.NOTHING;
        }
        state = State.OPEN;
        resume.onResumed(frame, now);
        return Follow.NOTHING;
    }

    /**
     * Drops the current connection: later callbacks of it are ignored, and a reconnect follows.
     *
     * @return when to reconnect
     */
    private long drop(long now) {
        ResumeState r = Objects.requireNonNull(resume, "only the resume scenario drops");
        r.onDropped(lastSeq, now);
        generation++;
        state = State.OFFLINE;
        session = null; // the caller hands the dropped session to follow()
        return now + r.offlineNanos();
    }

    /** A slow session's delta: the first one stops reading. */
    private Follow slowDelta() {
        if (slowPaused || slow == null) {
            return Follow.NOTHING;
        }
        slowPaused = true;
        PausableListener p = pausable;
        if (p != null) {
            p.pause();
        }
        slow.paused.increment();
        return Follow.SLOW_PAUSE;
    }

    /** @return when a slow session reads again: after {@code --slow-for}, at the latest at the end of the run */
    private long pause(long now) {
        return slow == null ? now : Math.min(now + slow.slowForNanos(), run.endNanos());
    }

    private void settleConnect() {
        if (!connectSettled) {
            connectSettled = true;
            run.connectSettled();
        }
    }

    // ---- actions, called without the monitor ----

    private void follow(Follow follow, @Nullable Session s, long at) {
        switch (follow) {
            case NOTHING -> {
            }
            case CANCEL -> {
                if (s != null) {
                    m.cancelsSent.increment();
                    s.sendText(run.frames().cancel(), sendCallback);
                }
            }
            case SEND -> transmit(s, at);
            case SCHEDULE -> schedule(at);
            case DROP -> {
                if (s != null) {
                    s.disconnect();
                }
                later(this::reconnect, at);
            }
            case SLOW_REQUEST -> {
                if (s != null) {
                    s.sendText(run.frames().userMessage(), sendCallback);
                    s.sendText(run.frames().slowResponseCreate(), sendCallback);
                }
            }
            case SLOW_PAUSE -> later(this::resumeReading, at);
        }
    }

    private void schedule(long intended) {
        m.requestsScheduled.increment();
        if (!later(() -> sendRequest(intended), intended)) {
            m.requestsUnsent.increment(); // the run is shutting down
        }
    }

    /** Runs {@code task} on the scheduler at {@code atNanos}; false when the run is shutting down. */
    private boolean later(Runnable task, long atNanos) {
        try {
            run.scheduler().schedule(task, Math.max(0, atNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private void transmit(@Nullable Session s, long intended) {
        if (s == null) {
            // Not expected: a client is OPEN only after onOpen. Keep the in-flight count honest anyway.
            synchronized (this) {
                loop.endActive();
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

    /** The callbacks of one connection, tagged with its generation. */
    private final class Link implements FrameAssembler.Handler {
        private final int gen;

        Link(int gen) {
            this.gen = gen;
        }

        @Override
        public void onOpen(Session opened) {
            VirtualClient.this.onOpen(gen, opened);
        }

        @Override
        public void onText(byte[] utf8, int offset, int length) {
            VirtualClient.this.onText(gen, utf8, offset, length);
        }

        @Override
        public void onClose(int statusCode, String reason) {
            VirtualClient.this.onClose(gen, statusCode, reason);
        }

        @Override
        public void onError(Throwable cause) {
            VirtualClient.this.onError(gen, cause);
        }
    }
}
