package dev.switchboard.broker.session;

import dev.switchboard.bridge.upstream.Upstream;
import dev.switchboard.broker.logging.LogSetup;
import dev.switchboard.broker.stream.RingRetry;
import dev.switchboard.broker.stream.Shard;
import dev.switchboard.broker.tenant.Principal;
import dev.switchboard.broker.tenant.Tenant;
import dev.switchboard.protocol.close.CloseReason;
import dev.switchboard.protocol.codec.ClientDecoding;
import dev.switchboard.protocol.event.ErrorDetail;
import dev.switchboard.protocol.event.ErrorEvent;
import dev.switchboard.protocol.event.ServerEvent;
import dev.switchboard.protocol.event.SessionReconnect;
import dev.switchboard.protocol.event.SessionResumed;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * What every session kind shares: its connection life cycle (attach, detach, resume with a paced catch-up,
 * takeover, expiry, drain, end) and flow control between the attached connection and the current upstream.
 * Subclasses decide what a session does with client frames and upstream events.
 *
 * <p>State machine, on the shard thread: a session is <em>attached</em> (one connection) or <em>detached</em>
 * (waiting for a resume, streaming into its replay log), until it <em>ends</em> (the client closed normally,
 * the store expired it, a duration or idle limit closed it ({@link SessionLimitTimers}), or the subclass ended
 * it). While a resumed connection catches up from the log, the upstream stays paused. Flow-control callbacks
 * arrive on other threads; they only touch volatile fields and {@link Upstream}'s thread-safe methods, and ignore
 * connections other than the attached one.
 */
abstract class AbstractSession implements BrokerSession {
    protected final String id;
    protected final Tenant tenant;
    /** The key the session was opened with. */
    protected final Principal principal;
    /** The session as hooks see it; set when the first connection attaches (shard thread). */
    protected ResponseHooks.SessionInfo info;
    protected final Shard shard;
    protected final SessionContext context;
    protected final SessionOutput output;
    private final String model;
    private boolean ended;
    private boolean draining;
    /** Whether the upstream reads: one set of reasons (watermark, replay log, catching up), see {@link FlowGate}. */
    private final FlowGate gate = new FlowGate();
    /** The attached connection, for flow-control signals from other threads; written on the shard thread. */
    private volatile ClientChannel flowChannel;
    /** The W3C {@code traceparent} the first connection's request carried, or empty (see {@link ResponseTrace}). */
    protected String traceParent = "";
    /** The key's session duration and idle limits; started when a WebSocket connection opens the session. */
    private final SessionLimitTimers limits;
    /** When the session was created (the admin API's {@link SessionSummary}). */
    private final java.time.Instant startedAt;
    /** The first connection's transport, for {@link #summary()}; written once on the shard thread. */
    private volatile ResponseHooks.Transport summaryTransport;
    /** Responses that ended: written by the shard thread alone, read by {@link #summary()} (release/acquire). */
    private final java.util.concurrent.atomic.AtomicLong responsesEnded = new java.util.concurrent.atomic.AtomicLong();

    AbstractSession(Principal principal, String model, Shard shard, SessionContext context) {
        this(principal, model, shard, context, java.util.Optional.empty());
    }

    /**
     * A session; with {@code takeover}, the session another node owned (issue 17), under its id, with the frames
     * its client may still be owed already in the replay log. A taken-over session starts with a resume.
     */
    AbstractSession(Principal principal, String model, Shard shard, SessionContext context,
                    java.util.Optional<Takeover> takeover) {
        this.id = takeover.map(Takeover::sessionId).orElseGet(() -> Ids.next("sess_"));
        this.principal = principal;
        this.tenant = principal.tenant();
        this.model = model;
        this.shard = shard;
        this.context = context;
        this.output = new SessionOutput(context.codec(), "event_" + id.substring(5, 13) + "_",
                context.store().newLog(), id);
        takeover.ifPresent(t -> output.restore(t.frames()));
        this.limits = new SessionLimitTimers(principal.sessionLimits(), context.scheduler(), this::publish,
                System::nanoTime);
        this.startedAt = context.clock().instant();
    }

    /** Any thread: a snapshot of the session for the admin API (see {@link SessionSummary} on its consistency). */
    @Override
    public final SessionSummary summary() {
        java.util.Optional<String> transport = java.util.Optional.ofNullable(summaryTransport)
                .map(t -> t.name().toLowerCase(java.util.Locale.ROOT));
        return new SessionSummary(id, tenant.id(), principal.keyId(), model, transport, flowChannel != null,
                startedAt, responsesEnded.getAcquire(), output.sentChars());
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final Shard shard() {
        return shard;
    }

    @Override
    public final Tenant tenant() {
        return tenant;
    }

    @Override
    public final String tenantId() {
        return tenant.id();
    }

    @Override
    public final String model() {
        return model;
    }

    @Override
    public final Principal principal() {
        return principal;
    }

    /**
     * The MDC entries of a log line about this session and {@code trace}'s response: tenant, session, and the trace
     * and span ids when it is traced. For rare lines (failures): it allocates.
     */
    java.util.Map<String, String> logContext(ResponseTrace trace) {
        java.util.Map<String, String> context = new java.util.HashMap<>(trace.logContext());
        context.put(LogSetup.TENANT, tenant.id());
        context.put(LogSetup.SESSION, id);
        return context;
    }

    /** The transport the hooks report for a session whose first connection is {@code channel}. */
    ResponseHooks.Transport transport(ClientChannel channel) {
        return channel.transport();
    }

    // ---- hooks (shard thread) ----

    /** The first connection attached: start the session (emit {@code session.created} or open an upstream). */
    abstract void onStarted();

    /** Whether a response is in progress (a drain waits for it). */
    abstract boolean responseInProgress();

    /** The session ends for good: stop any upstream; events emitted now only reach the log. */
    abstract void onEnded(String reason);

    /**
     * The session is handed over to another node (a drain in a cluster): stop any upstream without a word to the
     * client, so that a response in progress continues where the session is taken over. Shard thread.
     */
    void onHandedOver() {
        onEnded("handed_over");
    }

    /** A scheduled upstream retry of response {@code responseId} is due. */
    void onRetryDue(String responseId) {
    }

    /** A response's pending verdict arrived (see {@link ResponseHooks.Verdict.Pending}). */
    void onVerdictDue(String responseId, ResponseHooks.Verdict verdict) {
    }

    /** A client frame, decoded or rejected, received at {@code receivedNanos} (see {@link #onClientFrame}). */
    abstract void onClientEvent(ClientDecoding frame, long receivedNanos);

    // ---- ring input (shard thread) ----

    /** Every client frame, even a rejected one, shows the client is there; then the subclass handles it. */
    @Override
    public final void onClientFrame(ClientDecoding frame, long receivedNanos) {
        limits.onClientActivity();
        onClientEvent(frame, receivedNanos);
    }

    // ---- life cycle (shard thread) ----

    @Override
    public final void onSignal(SessionSignal signal) {
        signal.dispatch(signals);
    }

    /** The session's reactions to its signals, one method each (shard thread). */
    private final SessionSignal.Handler signals = new SessionSignal.Handler() {
        @Override
        public void onOpened(SessionSignal.Opened signal) {
            output.attach(signal.channel());
            flowChannel = signal.channel();
            context.store().attached(AbstractSession.this);
            context.metrics().connectionAttached();
            opened(signal.channel());
            onStarted();
        }

        @Override
        public void onClosed(SessionSignal.Closed signal) {
            onConnectionClosed(signal.channel());
        }

        @Override
        public void onResumed(SessionSignal.Resumed signal) {
            resume(signal.request());
        }

        @Override
        public void onCatchUp(SessionSignal.CatchUp signal) {
            // Otherwise the signal raced the end of the catch-up; the gate already runs the upstream if it may.
            if (output.channel().isPresent() && gate.holds(FlowGate.Reason.CATCHING_UP)) {
                catchUp();
            }
        }

        @Override
        public void onExpired(SessionSignal.Expired signal) {
            if (output.channel().isPresent()) {
                // A connection resumed the session just before it expired: keep it findable.
                context.store().attached(AbstractSession.this);
            } else {
                end("session_expired");
            }
        }

        @Override
        public void onDrain(SessionSignal.Drain signal) {
            AbstractSession.this.onDrain(signal.force());
        }

        @Override
        public void onRetryDue(SessionSignal.RetryDue signal) {
            AbstractSession.this.onRetryDue(signal.responseId());
        }

        @Override
        public void onVerdictDue(SessionSignal.VerdictDue signal) {
            AbstractSession.this.onVerdictDue(signal.responseId(), signal.verdict());
        }

        @Override
        public void onLimitDue(SessionSignal.LimitDue signal) {
            if (!ended && limits.reached(signal.limit())) {
                closeWith(signal.limit(), limits.errorFor(signal.limit()));
            }
        }

        @Override
        public void onFollowed(SessionSignal.Followed signal) {
            // Only a follower of another node's session reads mirrored frames; a session of its own has none.
        }

        @Override
        public void onMirrored(SessionSignal.Mirrored signal) {
            if (!ended && output.mirrored(signal.seq())) {
                releaseMirrored();
            }
        }

        @Override
        public void onEnd(SessionSignal.End signal) {
            if (!ended) {
                closeWith(signal.reason(), new ErrorEvent(ErrorDetail.invalidRequest(signal.reason().errorCode(),
                        signal.message(), "")));
            }
            signal.done().run();
        }
    };

    /** The session starts on this node: its first connection, or the resume that took it over from another node. */
    private void opened(ClientChannel first) {
        context.metrics().sessionOpened();
        info = new ResponseHooks.SessionInfo(id, tenant.id(), principal.keyId(), model, transport(first));
        if (info.transport() != ResponseHooks.Transport.HTTP && context.mirror().active()) {
            // Only WebSocket sessions can be resumed on another node; an HTTP stream resumes where it began. A
            // session another node can take over sends a frame only once the mirror has it (see SessionOutput).
            output.mirrorTo(context.mirror(), canMoveNodes(), upTo -> publish(new SessionSignal.Mirrored(upTo)));
            context.mirror().opened(this);
        }
        summaryTransport = info.transport();
        traceParent = first.traceParent();
        context.hooks().onSessionOpened(info);
        if (info.transport() != ResponseHooks.Transport.HTTP) {
            // Duration and idle limits hold WebSocket sessions; an HTTP request is bounded by its own deadlines.
            limits.start();
        }
    }

    private void onConnectionClosed(ClientChannel closed) {
        if (!output.isAttached(closed)) {
            return;
        }
        output.detach();
        flowChannel = null;
        // Nothing waits for a connection that is gone: its watermark and any catch-up no longer hold the upstream.
        gate.release(FlowGate.Reason.WATERMARK);
        gate.release(FlowGate.Reason.CATCHING_UP);
        if (!closed.followsElsewhere()) {
            context.metrics().connectionDetached();
        }
        if (closed.keepsSessionOnClose() && !ended) {
            detached();
        } else {
            end("client_disconnected");
        }
    }

    /** The connection dropped: keep running for a resume, reading the upstream until the log nearly fills. */
    private void detached() {
        context.store().detached(this);
        checkReplayLog();
    }

    /**
     * No connection is attached and the replay log is nearly full: the upstream must not add events the log could
     * only hold by evicting what a resuming client is owed. This default pauses it until a resume (a relay, whose
     * conversation lives in the provider, cannot end a response on its own); sessions that can end the response
     * instead override it, so a vanished client never holds a provider stream open. Shard thread.
     */
    void onReplayLogNearlyFull(Upstream upstream) {
        if (gate.hold(FlowGate.Reason.REPLAY_LOG)) {
            context.metrics().backpressurePaused();
        }
    }

    /**
     * A session limit is reached, or an administrator ends the session: it ends for good (a response in progress
     * ends first, as at any end), the client gets {@code lastWords} (an {@code error} naming why), and its connection
     * is closed with {@code reason}'s code. Detached, the error only reaches the log, which the end releases: a
     * resume is refused.
     */
    private void closeForLimit(CloseReason limit) {
        closeWith(limit, limits.errorFor(limit));
    }

    /** Ends the session with {@code error} as its last event, then closes its connection (if any) with {@code why}. */
    private void closeWith(CloseReason why, ErrorEvent error) {
        java.util.Optional<ClientChannel> channel = output.channel();
        end(why.errorCode(), error);
        channel.ifPresent(current -> current.close(why, why.errorCode()));
    }

    /** Ends the session for good: it can no longer be resumed. Idempotent. */
    protected final void end(String reason) {
        end(reason, null);
    }

    /** Ends the session; {@code lastWords}, if not null, is emitted after what {@link #onEnded} emits. */
    private void end(String reason, ServerEvent lastWords) {
        end(reason, lastWords, false);
    }

    /**
     * Ends the session here; {@code handOver}: it goes on on another node (a drain in a cluster), so its mirrored
     * copy is released for that node instead of removed.
     */
    private void end(String reason, ServerEvent lastWords, boolean handOver) {
        if (ended) {
            return;
        }
        ended = true;
        limits.cancel();
        context.store().ended(this);
        context.metrics().sessionClosed();
        if (handOver) {
            onHandedOver();
        } else {
            onEnded(reason);
        }
        if (lastWords != null) {
            emit(lastWords);
        }
        // After the last frames: another node reads them before it may take the session over.
        if (handOver) {
            output.mirror().released(id);
        } else {
            output.mirror().ended(id);
        }
        if (info != null) {
            // After onEnded, so a response it closes is reported before the session that held it.
            context.hooks().onSessionClosed(info, reason);
        }
        // Nothing can resume it now: its replay log's blocks go back to the pool.
        output.releaseLog();
    }

    /** Whether the session has ended. */
    protected final boolean ended() {
        return ended;
    }

    private void resume(ResumeRequest request) {
        ClientChannel next = request.channel();
        long lastSeq = request.lastSeq();
        if (ended) {
            refuseResume(next, "resume_token_expired", "the session has ended; start a new one");
            return;
        }
        if (!output.canReplayAfter(lastSeq)) {
            refuseResume(next, "resume_position_unavailable", lastSeq > output.seq()
                    ? "last_seq " + lastSeq + " is ahead of the session, whose last event is " + output.seq()
                    : "last_seq " + lastSeq + " is no longer held: the replay log starts at "
                    + output.oldestReplayable() + "; start a new session");
            return;
        }
        // Connections are this node's clients: the stand-in for a client another node serves is not one (issue 17).
        boolean wasAttached = output.channel().filter(c -> !c.followsElsewhere()).isPresent();
        boolean takenOver = info == null;
        if (takenOver) {
            // Taken over from another node (issue 17): this resume is the session's start here.
            opened(next);
        }
        limits.onClientActivity();
        // Held until the replay is done, so live events cannot outrun it and push it out of the log; the new
        // connection starts with nothing unsent, so the previous one's watermark no longer holds.
        gate.hold(FlowGate.Reason.CATCHING_UP);
        flowChannel = next;
        gate.release(FlowGate.Reason.WATERMARK);
        gate.release(FlowGate.Reason.REPLAY_LOG);
        output.sendConnectionEvent(next, new SessionResumed(id, context.store().tokenFor(this), lastSeq,
                lastSeq + 1));
        output.attachAfter(next, lastSeq).ifPresent(previous -> previous.close(CloseReason.SESSION_TAKEN_OVER,
                "another connection resumed this session"));
        context.store().attached(this);
        context.metrics().sessionResumed();
        if (!wasAttached && !next.followsElsewhere()) {
            context.metrics().connectionAttached();
        } else if (wasAttached && next.followsElsewhere()) {
            context.metrics().connectionDetached();
        }
        catchUp();
        if (takenOver) {
            // After the replay is queued: what goes on here (a response continued) follows what the client missed.
            onTakenOver();
        }
        if (draining) {
            onDrain(false);
        }
    }

    @Override
    public boolean awaitsHandOver() {
        return mirror().active() && canMoveNodes();
    }

    /** Where this session's frames and state are copied for other nodes ({@link SessionMirror#NONE}: nowhere). */
    protected final SessionMirror mirror() {
        return output.mirror();
    }

    /**
     * The first resume of a session taken over from another node has attached and queued the replay: go on with
     * what was in progress there. Shard thread.
     */
    void onTakenOver() {
    }

    /**
     * Frames the mirror has confirmed go to the connection; what does not fit waits as a catch-up does, on the
     * connection's low watermark. Frames that only waited for the mirror never hold the upstream back.
     */
    private void releaseMirrored() {
        if (!gate.holds(FlowGate.Reason.CATCHING_UP)) {
            if (output.pump() == SessionOutput.CatchUp.CAUGHT_UP) {
                return;
            }
            gate.hold(FlowGate.Reason.CATCHING_UP);
        }
        catchUp();
    }

    /**
     * Whether another node can take this session over when this one is lost (issue 17), so that its frames must be
     * mirrored before its client sees them. A relayed session cannot (its conversation lives in the provider).
     */
    boolean canMoveNodes() {
        return false;
    }

    /** Sends the resumed connection more of the log; once it is up to date, live streaming continues. */
    private void catchUp() {
        SessionOutput.CatchUp result = output.pump();
        if (result == SessionOutput.CatchUp.LOST) {
            ClientChannel lagging = output.channel().orElseThrow();
            output.sendConnectionEvent(lagging, new ErrorEvent(ErrorDetail.invalidRequest(
                    "resume_position_unavailable", "the connection fell behind what the replay log holds", "")));
            lagging.close(CloseReason.RESUME_FAILED, "resume_position_unavailable");
        } else if (result == SessionOutput.CatchUp.CAUGHT_UP) {
            // Above its high watermark after the last replayed frame, the watermark still holds the upstream
            // until the connection drains.
            gate.release(FlowGate.Reason.CATCHING_UP);
        }
    }

    private void refuseResume(ClientChannel next, String code, String message) {
        context.metrics().clientError(code);
        output.sendConnectionEvent(next, new ErrorEvent(ErrorDetail.invalidRequest(code, message, "")));
        next.close(CloseReason.RESUME_FAILED, code);
    }

    /**
     * Draining: once no response is in progress (or at once when {@code force}), tell the client to reconnect
     * and close its connection with 1012. The session itself lives on until the process exits.
     */
    private void onDrain(boolean force) {
        draining = true;
        boolean busy = responseInProgress() && !force;
        // In a cluster (issue 17) a client moves at once, even mid-answer: it resumes on another node, which follows
        // the session while this one finishes the answer; the session itself is handed over once it is idle.
        boolean movable = awaitsHandOver();
        if (busy && !movable) {
            return;
        }
        output.channel().filter(current -> !(busy && current.followsElsewhere())).ifPresent(current -> {
            output.sendConnectionEvent(current, new SessionReconnect(CloseReason.SERVICE_RESTART.errorCode(),
                    context.store().tokenFor(this), output.seq()));
            current.close(CloseReason.SERVICE_RESTART, "the broker is restarting: reconnect and resume");
        });
        if (movable && !busy && !ended) {
            // Handed over: the node its client resumes on takes it over at once (a response still running at the
            // drain timeout goes on there, continued as after a lost node).
            end("handed_over", null, true);
        }
    }

    /** A response ended: a drain waiting for it may now proceed (after the response's closing events). */
    protected final void responseFinished() {
        // Single writer (this shard thread): a release store is enough for summary() readers.
        responsesEnded.setRelease(responsesEnded.getPlain() + 1);
        if (draining) {
            publish(new SessionSignal.Drain(false));
        }
    }

    // ---- output (shard thread) ----

    /** Emits a modelled event: next seq, log, connection (see {@link SessionOutput#emit}). */
    protected final void emit(ServerEvent event) {
        emit(event, null);
    }

    /** Emits a modelled event that {@link #discardPending} can match by {@code tag} while it waits. */
    protected final void emit(ServerEvent event, Object tag) {
        output.emit(event, tag);
        afterEmit();
    }

    /** Emits a frame encoded for the seq it is given (relayed events splice their seq into the raw JSON). */
    protected final void emitEncoded(LongFunction<String> encoder, Object tag) {
        output.emitEncoded(encoder, tag);
        afterEmit();
    }

    /** Drops events still waiting for the connection whose tag matches (a cut-off response's deltas). */
    protected final java.util.List<Object> discardPending(java.util.function.Predicate<Object> matches) {
        return output.discardPending(matches);
    }

    private void afterEmit() {
        if (output.backlogged()) {
            // Waiting events go out in order when the connection drains (its low watermark pumps them). The
            // drain may already have happened before the flag was set, so look once more.
            gate.hold(FlowGate.Reason.CATCHING_UP);
            if (output.channel().orElseThrow().hasRoom()) {
                catchUp();
            }
        } else {
            checkReplayLog();
        }
    }

    private void checkReplayLog() {
        Upstream upstream = gate.upstream();
        if (upstream != null && output.channel().isEmpty() && !gate.holds(FlowGate.Reason.REPLAY_LOG)
                && output.logNearlyFull()) {
            onReplayLogNearlyFull(upstream);
        }
    }

    /** Sets the upstream flow control acts on (null when none streams); paused at once if it must wait. */
    protected final void flowTarget(Upstream upstream) {
        gate.upstream(upstream);
        // A retry or failover of a detached session whose log filled meanwhile must not stream into it either.
        checkReplayLog();
    }

    // ---- flow control (any thread) ----

    @Override
    public final void onHighWatermark(ClientChannel source) {
        if (source != flowChannel) {
            return;
        }
        if (gate.hold(FlowGate.Reason.WATERMARK) && gate.upstream() != null) {
            context.metrics().backpressurePaused();
        }
    }

    @Override
    public final void onLowWatermark(ClientChannel source) {
        if (source != flowChannel) {
            return;
        }
        gate.release(FlowGate.Reason.WATERMARK);
        if (gate.holds(FlowGate.Reason.CATCHING_UP)) {
            // Events wait for this connection: the shard sends it more before the upstream may run.
            publishCatchUp();
        }
    }

    private void publishCatchUp() {
        publish(new SessionSignal.CatchUp());
    }

    /** Store callback (scheduler thread): hand the expiry to the shard. */
    @Override
    public final void onExpired() {
        publish(new SessionSignal.Expired());
    }

    /** Publishes one of this session's own signals by the one ring-retry policy. Any thread. */
    protected final void publish(SessionSignal signal) {
        RingRetry.publish(shard, this, signal, context.scheduler(), () -> { });
    }
}
