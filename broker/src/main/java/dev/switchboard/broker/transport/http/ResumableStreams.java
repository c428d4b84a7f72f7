package dev.switchboard.broker.transport.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Optional;

/**
 * Which session a streamed chat completion runs in, by response id, for {@code Last-Event-ID} resumes, for the resume
 * window and a minute. Only the ids are kept (about 200 bytes an answer): the session itself stays in the session
 * store while it can be resumed and no longer, so a resume of an answer that ended is told so. (Until issue 12 the
 * whole session was held here: at 1,100 answers a second, 130,000 finished sessions and their replay logs' index
 * arrays, most of a 2 GiB heap.)
 *
 * <p>Thread-safe; called from shard threads (opened) and Jetty threads (lookups).
 */
final class ResumableStreams {
    /** A listed answer's session, and the tenant whose key started it. */
    record Listed(String sessionId, String tenantId) {
    }

    private final Cache<String, Listed> sessions;

    /** @param resumeTtl how long a session without a connection stays resumable */
    ResumableStreams(Duration resumeTtl) {
        this.sessions = Caffeine.newBuilder().maximumSize(1_000_000).expireAfterWrite(resumeTtl.plusMinutes(1))
                .build();
    }

    /** A streamed answer started (or resumed) in session {@code sessionId} of tenant {@code tenantId}. */
    void opened(String responseId, String sessionId, String tenantId) {
        sessions.put(responseId, new Listed(sessionId, tenantId));
    }

    /** The session the answer ran in, if it is listed for {@code tenantId}; another tenant's is not shown. */
    Optional<String> sessionOf(String responseId, String tenantId) {
        Listed listed = sessions.getIfPresent(responseId);
        return listed != null && listed.tenantId().equals(tenantId) ? Optional.of(listed.sessionId())
                : Optional.empty();
    }
}
