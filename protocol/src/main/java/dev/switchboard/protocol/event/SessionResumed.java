package dev.switchboard.protocol.event;

/**
 * {@code session.resumed} — a Switchboard extension, the first event on a connection that resumed a session. It is
 * connection-level: it has no {@code seq}. The events {@code lastSeq + 1, lastSeq + 2, …} follow with their
 * original {@code seq}, then live events.
 *
 * @param sessionId the resumed session
 * @param resumeToken a fresh token for the next resume
 * @param lastSeq the position the client resumed from (the last {@code seq} it had)
 * @param nextSeq the {@code seq} of the next event this connection receives: always {@code lastSeq + 1}
 */
public record SessionResumed(String sessionId, String resumeToken, long lastSeq, long nextSeq)
        implements ServerEvent {
    public SessionResumed {
        Defaults.require(sessionId, "session_id");
        Defaults.require(resumeToken, "resume_token");
        if (lastSeq < 0 || nextSeq != lastSeq + 1) {
            throw new IllegalArgumentException("last_seq must be >= 0 and next_seq must be last_seq + 1");
        }
    }
}
