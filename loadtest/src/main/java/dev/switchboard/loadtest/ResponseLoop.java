package dev.switchboard.loadtest;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * The request loop of one {@link VirtualClient}: the active request and its stream (TTFT, inter-delta gaps,
 * stamps, cancel), the open-workload slots waiting for the session, and when the next request is due. It knows
 * nothing of connections; the client feeds it the session's events and carries out the {@link Follow} it returns.
 *
 * <p>Guarded by the owning client's monitor: every method is called holding it, and none blocks or does I/O.
 * Invariants: at most one request is active (the broker allows one response at a time), and every request that
 * becomes active decrements {@link InFlight} exactly once (response.done, refusal, close or end of run).
 */
final class ResponseLoop {
    /** The broker's refusal code for a rate, token or concurrency limit. */
    static final String RATE_LIMIT_EXCEEDED = "rate_limit_exceeded";
    /** The broker's refusal code for a spent budget. */
    static final String INSUFFICIENT_QUOTA = "insufficient_quota";
    /** {@code status_details.reason} of a response a budget cut mid-stream. */
    static final String BUDGET_EXHAUSTED = "budget_exhausted";

    private final RunContext run;
    private final Measurements m;
    private final SplittableRandom random;
    private final @Nullable ResumeState resume;
    private final SlotQueue pending = new SlotQueue();
    private long followIntended;
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

    ResponseLoop(RunContext run, SplittableRandom random, @Nullable ResumeState resume) {
        this.run = run;
        this.m = run.measurements();
        this.random = random;
        this.resume = resume;
    }

    boolean active() {
        return active;
    }

    /** The intended time of the request a {@link Follow#SEND} or {@link Follow#SCHEDULE} is about. */
    long followIntended() {
        return followIntended;
    }

    /** The session was created: the first request follows the workload. */
    Follow onSessionCreated(long now) {
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

    /**
     * Open workload: a slot came while the session cannot take it (busy, connecting or resuming). It goes out as
     * soon as the session is free, and its latency still counts from {@code intended}.
     */
    void queue(long intended) {
        if (pending.offer(intended)) {
            m.requestsLate.increment();
        } else {
            m.requestsUnsent.increment();
        }
    }

    /** Makes the request intended at {@code intended} the active one; the caller sends it. */
    void begin(long intended) {
        active = true;
        started = false;
        intendedNanos = intended;
        deltas = 0;
        cancelAfter = run.scenario().cancelAfterDeltas(random);
        cancelSent = false;
        if (resume != null) {
            resume.onResponseStart(random);
        }
        run.inFlight().increment();
    }

    /** The active request, if any, will not finish: it leaves the in-flight count. */
    void endActive() {
        if (active) {
            active = false;
            run.inFlight().decrement();
        }
    }

    /** Drops the waiting slots and returns how many there were. */
    int clearPending() {
        return pending.clear();
    }

    void onResponseCreated() {
        if (active) {
            started = true;
        }
    }

    /**
     * A text delta. Records TTFT, the gap since the previous delta and broker-added latency.
     *
     * @param mayDrop whether the connection may be dropped now (it is the open, current one)
     * @return {@link Follow#CANCEL}, {@link Follow#DROP} (resume scenario) or {@link Follow#NOTHING}
     */
    Follow onDelta(ParsedFrame frame, long now, long wallMicros, boolean mayDrop) {
        if (!active || (!doneResponseId.isEmpty() && doneResponseId.equals(frame.responseId))) {
            m.error("stale_delta_after_done", "a delta of response " + frame.responseId
                    + " arrived after its response.done");
            return Follow.NOTHING;
        }
        deltas++;
        if (deltas == 1) {
            Measurements.recordNanos(m.ttft, now - intendedNanos);
        } else if (resume == null || !resume.replaying()) {
            // Replayed deltas arrive in a burst, and the first one after a drop waited out the reconnect:
            // neither is a gap the broker's pacing made.
            Measurements.recordNanos(m.interDelta, now - lastDeltaNanos);
        }
        lastDeltaNanos = now;
        if (frame.stampMicros != Stamp.NONE && run.stampsRequested()) {
            m.recordStamp(wallMicros - frame.stampMicros, deltas == 1);
        }
        if (resume != null && resume.onDelta(deltas, frame.text) && mayDrop) {
            return Follow.DROP;
        }
        if (deltas == cancelAfter && !cancelSent) {
            cancelSent = true;
            cancelSentNanos = System.nanoTime();
            return Follow.CANCEL;
        }
        return Follow.NOTHING;
    }

    /** {@code response.output_text.done}: the full text of the active response. */
    void onTextDone(ParsedFrame frame) {
        if (resume != null && active) {
            resume.onTextDone(frame.text);
        }
    }

    Follow onResponseDone(ParsedFrame frame, long now) {
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
            case "incomplete" -> {
                m.incomplete.increment();
                if (frame.statusReason.equals(BUDGET_EXHAUSTED)) {
                    m.cutByBudget.increment();
                }
            }
            default -> m.error("unknown_response_status", "response.done status '" + frame.status + "'");
        }
        if (resume != null) {
            resume.onResponseEnd(frame.status.equals("completed"));
        }
        endActive();
        return next(now);
    }

    Follow onError(ParsedFrame frame, long now) {
        String code = frame.errorCode.isEmpty() ? "error" : frame.errorCode;
        if (racedCancels > 0 && code.equals("response_cancel_not_active")
                && frame.errorEventId.equals(ClientFrames.CANCEL_ID)) {
            racedCancels--;
            m.cancelsRaced.increment();
            return Follow.NOTHING;
        }
        boolean refusal = countRefusal(code);
        if (!refusal) {
            m.error(code, frame.errorMessage);
        }
        if (active && !started && frame.errorEventId.equals(ClientFrames.CREATE_ID)) {
            // The broker refused our response.create: no response.done will follow, so the request ends here.
            if (refusal) {
                Measurements.recordNanos(m.refusal, now - intendedNanos);
            }
            if (resume != null) {
                resume.onResponseEnd(false);
            }
            endActive();
            return next(now);
        }
        return Follow.NOTHING;
    }

    /**
     * Counts a guardrail refusal ({@code rate_limit_exceeded}, {@code insufficient_quota}) apart from errors: the
     * broker answered as configured, and the session stays usable.
     *
     * @return whether {@code code} was a refusal
     */
    private boolean countRefusal(String code) {
        LongAdder counter = switch (code) {
            case RATE_LIMIT_EXCEEDED -> m.refusedRateLimit;
            case INSUFFICIENT_QUOTA -> m.refusedQuota;
            default -> null;
        };
        if (counter == null) {
            return false;
        }
        counter.increment();
        return true;
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
}
