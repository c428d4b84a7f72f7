package dev.switchboard.broker.session;

/**
 * Where a session's output and restorable state are copied so that another broker can resume it (issue 17): every
 * sequenced frame, and a snapshot of what the session needs to go on (configuration, conversation, the response in
 * progress and its request). The local broker mirrors nothing ({@link #NONE}); a cluster mirrors into Redis.
 *
 * <p>Called on the session's shard thread, in the order of the session's events; implementations must not block
 * (queue and return). A mirror that cannot keep up drops and counts: another node then refuses to resume from a log
 * with a gap, the local session is unaffected.
 */
public interface SessionMirror {
    /** Mirrors nothing: one broker. */
    SessionMirror NONE = new SessionMirror() {
        @Override
        public boolean active() {
            return false;
        }

        @Override
        public void opened(BrokerSession session) {
        }

        @Override
        public void frame(String sessionId, long seq, String frame, java.util.function.LongConsumer confirmed) {
        }

        @Override
        public void state(String sessionId, String snapshot) {
        }

        @Override
        public void ended(String sessionId) {
        }

        @Override
        public void control(String sessionId, int closeCode, String reason, String follower) {
        }

        @Override
        public void released(String sessionId) {
        }
    };

    /** Whether anything is mirrored (sessions skip building snapshots otherwise). */
    boolean active();

    /** A session started on this node (or was taken over by it): it is now this node's. */
    void opened(BrokerSession session);

    /**
     * The session's frame {@code seq}, exactly as its client receives it. {@code confirmed} is told, on the mirror's
     * thread, the highest seq of the session's frames the store has confirmed (or given up on: a store that cannot
     * be reached must not hold the client's frames back).
     */
    void frame(String sessionId, long seq, String frame, java.util.function.LongConsumer confirmed);

    /** The session's restorable state after its last frame (a {@link SessionSnapshot} in JSON). */
    void state(String sessionId, String snapshot);

    /** The session ended for good: nothing may resume it anywhere. */
    void ended(String sessionId);

    /**
     * The session's client served by another node's follower {@code follower} is closed with {@code closeCode} after
     * the frames mirrored so far (a close entry in the stream, which only that follower acts on, in order).
     */
    void control(String sessionId, int closeCode, String reason, String follower);

    /**
     * This node hands the session over (a drain): it keeps no copy, and the next node its client resumes on takes
     * it over at once instead of waiting for this node's heartbeat to lapse.
     */
    void released(String sessionId);
}
