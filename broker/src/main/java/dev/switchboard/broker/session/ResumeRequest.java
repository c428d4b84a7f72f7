package dev.switchboard.broker.session;

/**
 * A connection that wants to continue a session: the argument of {@code RESUMED}.
 *
 * @param channel the new connection
 * @param lastSeq the last {@code seq} the client has; it receives everything after it
 */
public record ResumeRequest(ClientChannel channel, long lastSeq) {
}
