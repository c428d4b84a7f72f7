package dev.switchboard.protocol.event;

import java.util.Optional;

/**
 * {@code session.created}: the first event of every session.
 *
 * @param session the session's configuration
 * @param resumeToken Switchboard extension: the opaque token that resumes this session after a dropped connection
 *     ({@code GET /v1/realtime?resume_token=…&last_seq=…}); absent where the session cannot be resumed
 */
public record SessionCreated(SessionConfig session, Optional<String> resumeToken) implements ServerEvent {
    public SessionCreated {
        Defaults.nonNull(session, "session");
        resumeToken = Defaults.optional(resumeToken);
    }

    /** A {@code session.created} without a resume token. */
    public SessionCreated(SessionConfig session) {
        this(session, Optional.empty());
    }
}
