package dev.switchboard.broker.session;

import dev.switchboard.broker.resume.ReplayLog;
import dev.switchboard.protocol.codec.EventCodec;
import dev.switchboard.protocol.event.ServerEvent;
import java.util.Optional;

/**
 * A session's outbound side: the {@code seq} counter, the replay log, and the client connection currently
 * attached, if any. Every event gets the next {@code seq}, goes into the log, and then to the connection; with no
 * connection it waits in the log for a resume. Connection-level events ({@code session.resumed},
 * {@code switchboard.reconnect}) go to one connection only, without a {@code seq}, and are not logged.
 *
 * <p>A resumed connection catches up from the log at the pace it drains: {@link #pump()} hands it logged frames
 * only while it is under its high watermark. New events that find it catching up, or above its high watermark,
 * wait <em>unsequenced</em> in a pending queue and get their {@code seq} when the pump sends them; so a cut-off
 * response's waiting deltas can be {@linkplain #discardPending discarded} without leaving a gap in {@code seq}, and
 * a connection is only ever handed a frame while what it has not yet written is within its high watermark — which
 * is what lets a long answer's {@code *.done} events, each repeating the whole text and each possibly larger than
 * the connection's hard limit, reach a client that reads. The pending queue is short: the upstream is paused at the
 * high watermark, so it holds at most what was already in flight (the ring credit and one network read). When the
 * connection goes, pending events are sequenced into the log for a resume.
 *
 * <p>Confined to the session's shard thread.
 */
final class SessionOutput {
    private final EventCodec codec;
    private final String eventIdPrefix;
    private final String sessionId;
    /** Where sequenced frames are copied for other nodes; {@link SessionMirror#NONE} until a WebSocket opens. */
    private volatile SessionMirror mirror = SessionMirror.NONE;
    private final ReplayLog log;
    private ClientChannel channel;
    private long seq;
    /** The last seq handed to the current connection. */
    private long sentSeq;
    private long connectionEvents;
    private final java.util.ArrayDeque<Pending> pending = new java.util.ArrayDeque<>();
    /**
     * Characters of frames the connections accepted. The one writer is the shard thread, which publishes with a
     * release store (a plain move on x86, no fence on the hot path); {@link #sentChars()} may be read on any thread.
     */
    private final java.util.concurrent.atomic.AtomicLong sentChars = new java.util.concurrent.atomic.AtomicLong();

    /** An event waiting for room on the connection, not yet sequenced. */
    private record Pending(java.util.function.LongFunction<String> encoder, ServerEvent event, Object tag) {
    }

    SessionOutput(EventCodec codec, String eventIdPrefix, ReplayLog log, String sessionId) {
        this.codec = codec;
        this.eventIdPrefix = eventIdPrefix;
        this.log = log;
        this.sessionId = sessionId;
    }

    /**
     * Frames up to this seq may go to the connection. Without a gate it follows {@link #seq}; with one (a session
     * that can be taken over by another node) it is the last frame the mirror confirmed, so a client never holds a
     * frame another node could not replay (issue 17).
     */
    private long releasedSeq;
    private boolean gated;
    private java.util.function.LongConsumer confirmed;

    /**
     * Copies every frame sequenced from now on to {@code target} (a WebSocket session in a cluster). With
     * {@code gate}, a frame reaches the connection only once {@link #mirrored} says the mirror has it;
     * {@code confirmed} is what the mirror tells (it hands the confirmation to the shard, which calls
     * {@link #mirrored}).
     */
    void mirrorTo(SessionMirror target, boolean gate, java.util.function.LongConsumer confirmed) {
        mirror = target;
        gated = gate;
        releasedSeq = seq;
        this.confirmed = confirmed;
    }

    /** The mirror confirmed frames up to {@code upTo}; returns whether frames now wait for the connection. */
    boolean mirrored(long upTo) {
        if (upTo > releasedSeq) {
            releasedSeq = Math.min(upTo, seq);
        }
        return channel != null && sentSeq < releasedSeq;
    }

    /** The last seq that may go to the connection now. */
    private long sendable() {
        return gated ? releasedSeq : seq;
    }

    /** Where frames are copied ({@link SessionMirror#NONE} when nowhere). */
    SessionMirror mirror() {
        return mirror;
    }

    /**
     * Fills the log with the frames another node mirrored before this one took the session over (issue 17); the
     * next event gets the seq after the last of them. Before any event; frames in order, contiguous.
     */
    void restore(java.util.List<Takeover.Frame> frames) {
        log.startAfter(frames.get(0).seq() - 1);
        for (Takeover.Frame frame : frames) {
            log.append(frame.seq(), frame.text());
            seq = frame.seq();
        }
        sentSeq = seq;
    }

    /**
     * Sends the event to the connection now (next seq, logged) when it has room and nothing waits before it;
     * otherwise queues it, unsequenced, for {@link #pump()}. Without a connection it is sequenced into the log.
     *
     * @param tag what {@link #discardPending} matches against while the event waits (e.g. its response), or null
     */
    void emit(ServerEvent event, Object tag) {
        emit(next -> codec.encodeServer(event, eventIdPrefix + next, next), event, tag);
    }

    /** Like {@link #emit}, for a frame that must be encoded knowing its seq (relayed raw JSON: no typed event). */
    void emitEncoded(java.util.function.LongFunction<String> encoder, Object tag) {
        emit(encoder, null, tag);
    }

    private void emit(java.util.function.LongFunction<String> encoder, ServerEvent event, Object tag) {
        if (gated) {
            // Sequenced and mirrored now; it goes to the connection once the mirror confirms it (see mirrored).
            sequence(encoder);
            return;
        }
        ClientChannel target = channel;
        if (target != null && (sentSeq < seq || !pending.isEmpty() || !target.hasRoom())) {
            pending.add(new Pending(encoder, event, tag));
            return;
        }
        String frame = sequence(encoder);
        if (target != null) {
            send(target, frame, event);
            sentSeq = seq;
        }
    }

    /** Hands a sequenced frame to the connection, with its typed event when the session has one. */
    private void send(ClientChannel target, String frame, ServerEvent event) {
        counted(event == null ? target.trySend(frame) : target.trySend(frame, event, seq), frame);
    }

    private void counted(boolean accepted, String frame) {
        if (accepted) {
            sentChars.setRelease(sentChars.getPlain() + frame.length());
        }
    }

    /** Characters of frames handed to (and accepted by) the session's connections so far. Any thread. */
    long sentChars() {
        return sentChars.getAcquire();
    }

    private String sequence(java.util.function.LongFunction<String> encoder) {
        long next = ++seq;
        String frame = encoder.apply(next);
        log.append(next, frame);
        mirror.frame(sessionId, next, frame, confirmed);
        return frame;
    }

    /** Whether events wait for the connection (in the log or pending). */
    boolean backlogged() {
        // Frames waiting only for the mirror's confirmation do not count: they hold no upstream back.
        return channel != null && (sentSeq < sendable() || !pending.isEmpty());
    }

    /**
     * Drops waiting events whose tag matches; they never get a seq, so the stream stays gapless.
     *
     * @return the dropped events' tags, oldest first
     */
    java.util.List<Object> discardPending(java.util.function.Predicate<Object> matches) {
        java.util.List<Object> dropped = new java.util.ArrayList<>();
        for (java.util.Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending next = it.next();
            if (next.tag() != null && matches.test(next.tag())) {
                dropped.add(next.tag());
                it.remove();
            }
        }
        return dropped;
    }

    /** How far a catch-up got. */
    enum CatchUp {
        /** Everything logged has been handed to the connection. */
        CAUGHT_UP,
        /** The connection is above its high watermark; pump again when it drains. */
        BEHIND,
        /** The next frame the connection needs was evicted from the log: it cannot be brought up to date. */
        LOST
    }

    /** Hands the connection logged frames it has not had, while it has room. Requires a connection. */
    CatchUp pump() {
        ClientChannel target = channel;
        long limit = sendable();
        while (sentSeq < limit) {
            if (!target.hasRoom()) {
                return CatchUp.BEHIND;
            }
            if (sentSeq + 1 < log.firstSeq()) {
                return CatchUp.LOST;
            }
            sentSeq++;
            String frame = log.frame(sentSeq);
            counted(target.trySend(frame), frame);
        }
        while (!pending.isEmpty()) {
            if (!target.hasRoom()) {
                return CatchUp.BEHIND;
            }
            Pending next = pending.poll();
            send(target, sequence(next.encoder()), next.event());
            sentSeq = seq;
        }
        return CatchUp.CAUGHT_UP;
    }

    /** Sends a connection-level event (no seq, not logged) to {@code target}. */
    void sendConnectionEvent(ClientChannel target, ServerEvent event) {
        String frame = codec.encodeServer(event, eventIdPrefix + "c" + (++connectionEvents), -1);
        counted(target.trySend(frame), frame);
    }

    /** The attached connection, if any. */
    Optional<ClientChannel> channel() {
        return Optional.ofNullable(channel);
    }

    /** Whether {@code candidate} is the attached connection. */
    boolean isAttached(ClientChannel candidate) {
        return channel == candidate;
    }

    /** Attaches a new session's first connection. */
    void attach(ClientChannel first) {
        channel = first;
        sentSeq = seq;
    }

    /** Forgets the connection; waiting events are sequenced into the log, as later ones will be, for a resume. */
    void detach() {
        channel = null;
        while (!pending.isEmpty()) {
            sequence(pending.poll().encoder());
        }
    }

    /** The seq of the last event emitted. */
    long seq() {
        return seq;
    }

    /** Whether a client that has everything up to {@code lastSeq} can be brought up to date. */
    boolean canReplayAfter(long lastSeq) {
        return log.canReplayAfter(lastSeq);
    }

    /** The oldest seq the log holds. */
    long oldestReplayable() {
        return log.firstSeq();
    }

    /**
     * Attaches {@code next} in place of any current connection, positioned after {@code lastSeq}; {@link #pump()}
     * then sends it the logged events it missed. Requires {@link #canReplayAfter}.
     *
     * @return the connection that was replaced, if any
     */
    Optional<ClientChannel> attachAfter(ClientChannel next, long lastSeq) {
        ClientChannel previous = channel;
        channel = next;
        sentSeq = lastSeq;
        return Optional.ofNullable(previous);
    }

    /** Empties the replay log, returning its storage (the session has ended). */
    void releaseLog() {
        log.release();
    }

    /** Whether the log is close to its bounds, so a session without a connection should stop its upstream. */
    boolean logNearlyFull() {
        return log.nearlyFull();
    }
}
