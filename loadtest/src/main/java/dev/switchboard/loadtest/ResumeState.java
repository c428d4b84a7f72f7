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
 */
final class ResumeState {
    private final ResumePlan plan;
    private final Measurements m;
    private final int index;
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

    ResumeState(ResumePlan plan, Measurements m, int index) {
        this.plan = plan;
        this.m = m;
        this.index = index;
    }

    /** {@code session.created} carried {@code token}. */
    void onSessionCreated(String createdToken) {
        token = createdToken;
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

    /** The connection was dropped after the event {@code lastSeq}; a reconnect follows. */
    void onDropped(long lastSeq) {
        drops++;
        dropAfter = 0;
        interrupted = true;
        resumeFrom = lastSeq;
        plan.drops.increment();
    }

    /** How long to stay away after a drop. */
    long offlineNanos() {
        return plan.offlineNanos();
    }

    /** The URI of the reconnect, from the latest token and the last seq processed. */
    URI resumeUri(URI endpoint) {
        return ResumePlan.resumeUri(endpoint, token, resumeFrom);
    }

    /** The reconnect starts now. */
    void onReconnect(long nowNanos) {
        reconnectNanos = nowNanos;
        awaitingResumed = true;
        awaitingProbe = false;
        backlogNanos = 0;
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
        plan.resumed.increment();
        Measurements.recordNanos(m.resume, nowNanos - reconnectNanos);
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
        } else if (awaitingProbe && plan.backlog() > 0 && seq == resumeFrom + plan.backlog()) {
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
