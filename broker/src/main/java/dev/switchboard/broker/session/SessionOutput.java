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
 * only while it is under its high watermark, so a replay of thousands of events never overflows its outbound
 * bounds. While it catches up, new events only go to the log; the pump sends them in order after the older ones.
 *
 * <p>Confined to the session's shard thread.
 */
final class SessionOutput {
    private final EventCodec codec;
    private final String eventIdPrefix;
    private final ReplayLog log;
    private ClientChannel channel;
    private long seq;
    /** The last seq handed to the current connection. */
    private long sentSeq;
    private long connectionEvents;

    SessionOutput(EventCodec codec, String eventIdPrefix, ReplayLog log) {
        this.codec = codec;
        this.eventIdPrefix = eventIdPrefix;
        this.log = log;
    }

    /** Assigns the next seq, logs the event and sends it to the connection, if one is attached. */
    void emit(ServerEvent event) {
        long next = ++seq;
        String frame = codec.encodeServer(event, eventIdPrefix + next, next);
        log.append(next, frame);
        ClientChannel target = channel;
        if (target != null && sentSeq == next - 1) {
            target.trySend(frame);
            sentSeq = next;
        }
    }

    /** Like {@link #emit}, for a frame that must be encoded knowing its seq. */
    void emitEncoded(java.util.function.LongFunction<String> encoder) {
        long next = ++seq;
        String frame = encoder.apply(next);
        log.append(next, frame);
        ClientChannel target = channel;
        if (target != null && sentSeq == next - 1) {
            target.trySend(frame);
            sentSeq = next;
        }
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
        while (sentSeq < seq) {
            if (!target.hasRoom()) {
                return CatchUp.BEHIND;
            }
            if (sentSeq + 1 < log.firstSeq()) {
                return CatchUp.LOST;
            }
            sentSeq++;
            target.trySend(log.frame(sentSeq));
        }
        return CatchUp.CAUGHT_UP;
    }

    /** Sends a connection-level event (no seq, not logged) to {@code target}. */
    void sendConnectionEvent(ClientChannel target, ServerEvent event) {
        target.trySend(codec.encodeServer(event, eventIdPrefix + "c" + (++connectionEvents), -1));
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

    /** Forgets the connection; events go only to the log until the next attach. */
    void detach() {
        channel = null;
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

    /** Whether the log is close to its bounds, so a session without a connection should stop its upstream. */
    boolean logNearlyFull() {
        return log.nearlyFull();
    }
}
