package dev.switchboard.loadtest;

import java.net.URI;
import java.util.SplittableRandom;

/**
 * One session's part of the resume scenario: its latest resume token, when its current response drops, the
 * reconnect in progress, and the text of the current response. Guarded by the owning {@link VirtualClient}'s
 * monitor: every method is called holding it, and none blocks or does I/O.
 *
 * <p>A reconnect is timed from the moment the new WebSocket connect starts (TCP connect and upgrade request):
 * <ul>
 *   <li>{@code resume_ms}: to {@code session.resumed};</li>
 *   <li>{@code replay_ms}: to the broker's answer to a probe ({@code session.update} with no changes) that the
 *       client sends as soon as the connection opens. The broker handles the probe only after it has written the
 *       replay, so its answer ({@code session.updated}) comes after every replayed event: this is the time until
 *       the client has caught up with everything the broker had. The events between the resume point and the
 *       answer are the events replayed (live events emitted in the same instant count too);</li>
 *   <li>{@code replay_backlog_ms} (backlog mode): to the N-th event after the resume point, provided at least N
 *       events came before the probe's answer, i.e. were replayed rather than live.</li>
 * </ul>
 * And from the moment the client dropped the connection (offline time included), {@code drop_to_resumed_ms} to
 * {@code session.resumed} and {@code drop_to_first_event_ms} to the first event after the resume point.
 *
 * <p>Nodes. The session starts on node {@code index mod n} of the plan's {@link ClusterTally} and each reconnect
 * goes to the next node. In the cluster scenario a refused resume ({@code error} event about it, then a close,
 * normally 4410) is counted as refused with its code; the session then ends, as the broker told it to.
 */
final class ResumeState {
    private final ResumePlan plan;
    private final Measurements m;
    private final int index;
    private int node;
    private String token = "";
    private int drops;
    private int turn;
    /** The conversation left the path every session shares, so texts no longer compare across sessions. */
    private boolean diverged;

    private int dropAfter;
    private boolean interrupted;
    private final TextDigest text = new TextDigest();
    private boolean textDone;

    private long resumeFrom = -1;
    private long reconnectNanos;
    private boolean awaitingResumed;
    private boolean awaitingProbe;
    private long backlogNanos;
    private long droppedNanos;
    private boolean awaitingFirstEvent;
    /** The refusal code of the current reconnect, once one came. */
    private String refusedCode = "";

    ResumeState(ResumePlan plan, Measurements m, int index) {
        this.plan = plan;
        this.m = m;
        this.index = index;
        this.node = plan.nodes.first(index);
    }

    /** The endpoint the session's first connection goes to. */
    URI firstUri() {
        return plan.nodes.node(node);
    }

    /** {@code session.created} carried {@code token}. */
    void onSessionCreated(String createdToken) {
        token = createdToken;
        plan.nodes.created(node);
        if (token.isEmpty()) {
            m.error("resume_token_missing", "session.created carried no resume_token: the broker does not support "
                    + "resume");
        }
    }

    /** A response begins. */
    void onResponseStart(SplittableRandom random) {
        turn++;
        dropAfter = token.isEmpty() ? 0 : plan.dropAfter(random, index, turn, drops);
        interrupted = false;
        text.reset();
        textDone = false;
    }

    /**
     * The {@code deltas}-th delta of the current response, with text {@code delta}, was received.
     *
     * @return whether to drop the connection now
     */
    boolean onDelta(int deltas, TextDigest delta) {
        text.add(delta);
        return deltas == dropAfter;
    }

    /** The connection was dropped at {@code nowNanos} after the event {@code lastSeq}; a reconnect follows. */
    void onDropped(long lastSeq, long nowNanos) {
        drops++;
        droppedNanos = nowNanos;
        dropAfter = 0;
        interrupted = true;
        resumeFrom = lastSeq;
        plan.drops.increment();
    }

    /** How long to stay away after a drop. */
    long offlineNanos() {
        return plan.offlineNanos();
    }

    /** The URI of the next reconnect: the next node, with the latest token and the last seq processed. */
    URI resumeUri() {
        return ResumePlan.resumeUri(plan.nodes.node(plan.nodes.next(node)), token, resumeFrom);
    }

    /** The reconnect to {@link #resumeUri()} starts now: the session moves to that node. */
    void onReconnect(long nowNanos) {
        node = plan.nodes.next(node);
        plan.nodes.attempted(node);
        reconnectNanos = nowNanos;
        awaitingResumed = true;
        awaitingProbe = false;
        awaitingFirstEvent = false;
        refusedCode = "";
        backlogNanos = 0;
    }

    /** An event arrived on the current connection. */
    void onEvent() {
        plan.nodes.event(node);
    }

    /**
     * An {@code error} event arrived while the reconnect waits for {@code session.resumed}.
     *
     * @return true when it was counted as a refused resume (cluster scenario); false to handle it as an error
     */
    boolean onRefused(String code) {
        if (!plan.countsRefusals() || !awaitingResumed) {
            return false;
        }
        awaitingResumed = false;
        refusedCode = code.isEmpty() ? "error" : code;
        plan.nodes.refused(node, refusedCode);
        return true;
    }

    /**
     * The reconnecting connection closed with {@code statusCode} before {@code session.resumed}.
     *
     * @return true when that was the end of a refused resume (cluster scenario), not an error
     */
    boolean onClosedWhileResuming(int statusCode) {
        if (!plan.countsRefusals()) {
            return false;
        }
        if (refusedCode.isEmpty()) {
            // Closed without saying why: still a refusal, by its close code.
            awaitingResumed = false;
            refusedCode = "closed_" + statusCode;
            plan.nodes.refused(node, refusedCode);
        }
        return true;
    }

    /** The reconnect's WebSocket upgrade failed (no answer from the node). */
    void onReconnectFailed() {
        awaitingResumed = false;
        plan.nodes.failed.increment();
    }

    /** Whether a reconnect waits for {@code session.resumed}. */
    boolean awaitingResumed() {
        return awaitingResumed;
    }

    /** {@code session.resumed} arrived at {@code nowNanos}. */
    void onResumed(ParsedFrame frame, long nowNanos) {
        if (!awaitingResumed) {
            m.error("unexpected_session_resumed", "session.resumed without a reconnect");
            return;
        }
        awaitingResumed = false;
        awaitingProbe = true;
        awaitingFirstEvent = true;
        plan.resumed.increment();
        plan.nodes.resumed(node);
        Measurements.recordNanos(m.resume, nowNanos - reconnectNanos);
        Measurements.recordNanos(m.dropToResumed, nowNanos - droppedNanos);
        if (!frame.resumeToken.isEmpty()) {
            token = frame.resumeToken;
        }
        if (frame.lastSeq != resumeFrom) {
            m.error("resume_position_mismatch", "session.resumed names last_seq " + frame.lastSeq + ", the client "
                    + "asked for " + resumeFrom);
        }
    }

    /** Every event with a seq, after the seq check. */
    void onSeq(long seq, long nowNanos) {
        if (awaitingResumed) {
            m.error("missing_session_resumed", "event seq " + seq + " arrived on a resumed connection before "
                    + "session.resumed");
            return;
        }
        if (awaitingFirstEvent && seq > resumeFrom) {
            awaitingFirstEvent = false;
            Measurements.recordNanos(m.dropToFirstEvent, nowNanos - droppedNanos);
        }
        if (awaitingProbe && plan.backlog() > 0 && seq == resumeFrom + plan.backlog()) {
            backlogNanos = nowNanos;
        }
    }

    /** Whether replayed events are arriving: inter-delta gaps are not sampled then. */
    boolean replaying() {
        return awaitingResumed || awaitingProbe;
    }

    /** {@code session.updated} with {@code seq}, the answer to the probe, arrived at {@code nowNanos}. */
    void onProbeAnswer(long seq, long nowNanos) {
        if (!awaitingProbe) {
            return;
        }
        awaitingProbe = false;
        Measurements.recordNanos(m.replay, nowNanos - reconnectNanos);
        long replayed = Math.max(0, seq - 1 - resumeFrom);
        plan.replayedEvents.recordValue(Math.min(replayed, Measurements.MAX_MICROS));
        plan.replayedTotal.add(replayed);
        if (plan.backlog() > 0) {
            if (replayed >= plan.backlog() && backlogNanos != 0) {
                plan.backlogMeasured.increment();
                Measurements.recordNanos(m.replayBacklog, backlogNanos - reconnectNanos);
            } else {
                plan.backlogShort.increment();
            }
        }
    }

    /** {@code response.output_text.done} of the current response, with its full text {@code done}. */
    void onTextDone(TextDigest done) {
        textDone = true;
        plan.textChecked.increment();
        if (!text.sameAs(done)) {
            plan.textMismatches.increment();
            m.error("text_mismatch", "the deltas of a response (" + text.length() + " chars received) differ "
                    + "from its response.output_text.done (" + done.length() + " chars)");
        }
    }

    /** The current response ended; {@code completed} when its status was {@code completed}. */
    void onResponseEnd(boolean completed) {
        if (!completed || !textDone) {
            diverged = true;
            return;
        }
        if (!diverged && plan.referenceTexts()) {
            plan.reference.record(turn, text, interrupted);
        }
    }
}
