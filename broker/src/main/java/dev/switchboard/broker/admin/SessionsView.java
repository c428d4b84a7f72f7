package dev.switchboard.broker.admin;

import dev.switchboard.protocol.close.CloseReason;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.broker.resume.SessionStore;
import dev.switchboard.broker.session.BrokerSession;
import dev.switchboard.broker.session.SessionSignal;
import dev.switchboard.broker.session.SessionSummary;
import dev.switchboard.broker.stream.RingRetry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /admin/sessions} and {@code DELETE /admin/sessions/{id}}. Listing reads each session's
 * {@link SessionSummary} (safe from any thread); ending never touches a session here: it publishes
 * {@link SessionSignal.End} into the session's shard ring (by the one ring-retry policy) and waits, bounded,
 * for the shard thread to report the session ended. Runs on admin API threads, which may block on that wait.
 */
final class SessionsView {
    /** How long a DELETE waits for the shard to end the session before answering 202 instead of 200. */
    static final Duration END_WAIT = Duration.ofSeconds(5);

    private final ObjectMapper json;
    private final SessionStore<BrokerSession> store;
    private final ScheduledExecutorService scheduler;

    SessionsView(ObjectMapper json, SessionStore<BrokerSession> store, ScheduledExecutorService scheduler) {
        this.json = json;
        this.store = store;
        this.scheduler = scheduler;
    }

    /** The live sessions of {@code tenant} (every tenant when empty), oldest first. */
    ObjectNode list(Optional<String> tenant) {
        List<SessionSummary> found = new ArrayList<>();
        store.forEach(session -> {
            if (tenant.isEmpty() || session.tenantId().equals(tenant.get())) {
                found.add(session.summary());
            }
        });
        found.sort(Comparator.comparing(SessionSummary::startedAt).thenComparing(SessionSummary::id));
        ObjectNode body = json.createObjectNode();
        ArrayNode sessions = body.putArray("sessions");
        found.forEach(s -> {
            ObjectNode node = sessions.addObject().put("id", s.id()).put("tenant", s.tenant()).put("key_id", s.keyId())
                    .put("model", s.model());
            s.transport().ifPresentOrElse(t -> node.put("transport", t), () -> node.putNull("transport"));
            node.put("state", s.connected() ? "connected" : "detached").put("started_at", s.startedAt().toString())
                    .put("responses", s.responses()).put("bytes_sent", s.bytesSent());
        });
        return body;
    }

    /** How a DELETE went. */
    enum Ending {
        /** The shard ended the session (or found it already ended). */
        ENDED,
        /** The signal is on its way but the shard did not confirm within {@link #END_WAIT}. */
        PENDING
    }

    /** The live session {@code id} if {@code caller} may see it (another tenant's is as absent). */
    Optional<BrokerSession> find(String id, Caller caller) {
        return store.get(id).filter(session -> caller.reads(session.tenantId()));
    }

    /** Ends {@code session} through its shard; blocks at most {@link #END_WAIT}. */
    Ending end(BrokerSession session) throws InterruptedException {
        CountDownLatch ended = new CountDownLatch(1);
        // A ring full for RingRetry's whole bound means a wedged shard: the wait below then answers PENDING.
        RingRetry.publish(session.shard(), session, new SessionSignal.End(CloseReason.SESSION_ENDED_BY_ADMIN,
                "an administrator ended the session; start a new session", ended::countDown), scheduler, () -> { });
        return ended.await(END_WAIT.toMillis(), TimeUnit.MILLISECONDS) ? Ending.ENDED : Ending.PENDING;
    }
}
