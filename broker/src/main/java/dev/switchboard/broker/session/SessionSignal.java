package dev.switchboard.broker.session;

import dev.switchboard.protocol.close.CloseReason;

/**
 * A session's signals through its shard ring: connection life cycle, timers and the drain. Published by the
 * transports ({@link Opened}, {@link Closed}, {@link Resumed}), the resume store ({@link Expired}), the broker
 * ({@link Drain}), the admin API and live reload ({@link End}) and the session itself ({@link CatchUp}, {@link RetryDue},
 * {@link LimitDue}, {@link VerdictDue}); handled on the shard thread through {@link Handler}, one method per signal, so
 * a new signal breaks compilation wherever it must be handled (Java 17 has no exhaustive type switch).
 */
public sealed interface SessionSignal {

    /** Handles every kind of signal. */
    interface Handler {
        void onOpened(Opened signal);

        void onClosed(Closed signal);

        void onResumed(Resumed signal);

        void onCatchUp(CatchUp signal);

        void onExpired(Expired signal);

        void onDrain(Drain signal);

        void onRetryDue(RetryDue signal);

        void onLimitDue(LimitDue signal);

        void onVerdictDue(VerdictDue signal);

        void onEnd(End signal);

        void onMirrored(Mirrored signal);

        void onFollowed(Followed signal);
    }

    /** Calls the {@code handler} method for this signal. */
    void dispatch(Handler handler);

    /** A client connection attached and starts the session. */
    record Opened(ClientChannel channel) implements SessionSignal {
        @Override
        public void dispatch(Handler handler) {
            handler.onOpened(this);
        }
    }

    /** The client connection closed. */
    record Closed(ClientChannel channel) implements SessionSignal {
        @Override
        public void dispatch(Handler handler) {
            handler.onClosed(this);
        }
    }

    /** A connection resumes the session from a position. */
    record Resumed(ResumeRequest request) implements SessionSignal {
        @Override
        public void dispatch(Handler handler) {
            handler.onResumed(this);
        }
    }

    /** A connection catching up from the replay log has drained: send it more. */
    record CatchUp() implements SessionSignal {
        @Override
        public void dispatch(Handler handler) {
            handler.onCatchUp(this);
        }
    }

    /** The session had no connection for its resume TTL. */
    record Expired() implements SessionSignal {
        @Override
        public void dispatch(Handler handler) {
            handler.onExpired(this);
        }
    }

    /**
     * The broker drains; {@code force}: the drain timeout has passed and the connection must be closed even with
     * a response in progress.
     */
    record Drain(boolean force) implements SessionSignal {
        @Override
        public void dispatch(Handler handler) {
            handler.onDrain(this);
        }
    }

    /** A scheduled upstream retry of response {@code responseId} is due. */
    record RetryDue(String responseId) implements SessionSignal {
        @Override
        public void dispatch(Handler handler) {
            handler.onRetryDue(this);
        }
    }

    /**
     * A session limit's timer fired: {@code limit} is {@link CloseReason#SESSION_MAX_DURATION} or
     * {@link CloseReason#SESSION_IDLE_TIMEOUT}. The session checks on its shard thread whether the limit is really
     * reached (a client frame may have come since an idle check was scheduled).
     */
    record LimitDue(CloseReason limit) implements SessionSignal {
        public LimitDue {
            if (limit != CloseReason.SESSION_MAX_DURATION && limit != CloseReason.SESSION_IDLE_TIMEOUT) {
                throw new IllegalArgumentException("not a session limit: " + limit);
            }
        }

        @Override
        public void dispatch(Handler handler) {
            handler.onLimitDue(this);
        }
    }

    /**
     * The cluster's mirror confirmed the session's frames up to {@code seq} (issue 17): they may now reach the client,
     * since another node could replay them if this one were lost.
     */
    record Mirrored(long seq) implements SessionSignal {
        @Override
        public void dispatch(Handler handler) {
            handler.onMirrored(this);
        }
    }

    /**
     * Frames the owner node mirrored, read for a session this node follows (issue 17), oldest first; then, when
     * {@code closeCode} is not 0, the owner closed the client's connection with that code and {@code closeReason}
     * (1012: it handed the session over, or was lost; reconnect and resume). Only a follower handles it.
     */
    record Followed(java.util.List<Takeover.Frame> frames, int closeCode, String closeReason) implements SessionSignal {
        public Followed {
            frames = java.util.List.copyOf(frames);
        }

        @Override
        public void dispatch(Handler handler) {
            handler.onFollowed(this);
        }
    }

    /**
     * The verdict a hook gave as {@link ResponseHooks.Verdict.Pending} for response {@code responseId} has arrived
     * (never itself pending). The session ignores it when that response is no longer admitting.
     */
    record VerdictDue(String responseId, ResponseHooks.Verdict verdict) implements SessionSignal {
        @Override
        public void dispatch(Handler handler) {
            handler.onVerdictDue(this);
        }
    }

    /**
     * Someone outside the session ends it for good (an administrator, a reload that revoked its key): a response in
     * progress ends {@code cancelled}, the client gets a last {@code error} with {@code reason}'s code and
     * {@code message}, then {@code reason}'s close code, and a resume is refused. {@code done} runs on the shard
     * thread once the session has ended, also when it had ended before; it must not block.
     */
    record End(CloseReason reason, String message, Runnable done) implements SessionSignal {
        @Override
        public void dispatch(Handler handler) {
            handler.onEnd(this);
        }
    }
}
