package dev.switchboard.broker.session;

import java.time.Instant;
import java.util.Optional;

/**
 * What the admin API shows of a live session: a snapshot read from any thread without touching the session's
 * shard-confined state. Its counters are written by the shard thread alone and published with release stores, so a
 * reader sees a recent value that only grows (never a torn or a decreasing one); a snapshot may be a few frames
 * behind the session, and its fields need not be from one instant.
 *
 * @param id the session id
 * @param tenant the owning tenant's id
 * @param keyId the non-secret id of the key it was opened with
 * @param model the client-facing model
 * @param transport {@code websocket}, {@code relay} or {@code http}; empty until its first connection attached
 * @param connected whether a connection is attached now (a detached session waits for a resume)
 * @param startedAt when the session was created, from the broker's clock
 * @param responses responses that have ended (any status)
 * @param bytesSent characters of frames handed to its connections (the JSON is almost all ASCII, so about bytes)
 */
public record SessionSummary(String id, String tenant, String keyId, String model, Optional<String> transport,
                             boolean connected, Instant startedAt, long responses, long bytesSent) {
}
