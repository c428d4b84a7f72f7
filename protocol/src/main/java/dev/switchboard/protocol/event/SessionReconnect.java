package dev.switchboard.protocol.event;

/**
 * {@code switchboard.reconnect} — a Switchboard extension, connection-level (no {@code seq}): the broker is about
 * to close this connection (it is draining for a restart) and the client should reconnect, resuming with the
 * token. The close that follows has code 1012 {@code service_restart}.
 *
 * @param reason why, e.g. {@code service_restart}
 * @param resumeToken the token to resume this session with
 * @param lastSeq the {@code seq} of the last event sent on this connection
 */
public record SessionReconnect(String reason, String resumeToken, long lastSeq) implements ServerEvent {
    public SessionReconnect {
        Defaults.require(reason, "reason");
        Defaults.require(resumeToken, "resume_token");
    }
}
