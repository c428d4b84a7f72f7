package dev.switchboard.broker.transport.ws;

import dev.switchboard.broker.admission.Admission;
import dev.switchboard.broker.admission.Gatekeeper;
import dev.switchboard.broker.cluster.ClusterSessions;
import dev.switchboard.broker.cluster.SessionDirectory;
import dev.switchboard.broker.route.Route;
import dev.switchboard.broker.session.BrokerSession;
import dev.switchboard.broker.session.RealtimeSession;
import dev.switchboard.broker.session.SessionContext;
import dev.switchboard.broker.session.SessionFactory;
import dev.switchboard.broker.stream.Shard;
import dev.switchboard.broker.tenant.Principal;
import dev.switchboard.protocol.codec.ClientDecoding;
import dev.switchboard.protocol.event.ErrorDetail;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A resume whose session this node does not hold, in a cluster (issue 17): the directory says where the session
 * is; when its owner is alive this node follows it (the client is served here, the session stays there); when its
 * owner is dead or handed it over, this node takes it over — a new session under the same id, its log restored from the
 * mirrored frames, a response in progress continued once the resume attaches. Runs on the Jetty thread handling
 * the upgrade (the directory's look-up waits for Redis, bounded; see {@link SessionDirectory}).
 */
final class ClusterResume {
    /** What the resume comes to. */
    sealed interface Outcome {
        /**
         * Attach the connection to {@code session} (a session taken over, held by the store until the resume
         * attaches, or a follower of a live owner); {@code decoder} reads the client's frames for it.
         */
        record Attach(BrokerSession session, java.util.function.Function<String, ClientDecoding> decoder)
                implements Outcome {
        }

        /** Refuse the resume with {@code error} (an {@code error} event, then close 4410). */
        record Refuse(ErrorDetail error) implements Outcome {
        }
    }

    private final ClusterSessions cluster;
    private final SessionDirectory directory;
    private final Gatekeeper gatekeeper;
    private final Supplier<Shard> shards;
    private final SessionContext context;

    ClusterResume(ClusterSessions cluster, Gatekeeper gatekeeper, Supplier<Shard> shards, SessionContext context) {
        this.cluster = cluster;
        this.directory = cluster.directory();
        this.gatekeeper = gatekeeper;
        this.shards = shards;
        this.context = context;
    }

    /**
     * Resumes session {@code sessionId} (its token already verified for the principal's tenant) after
     * {@code lastSeq}; {@code model}, when the client named one, must be the session's.
     */
    Outcome resume(Principal principal, String sessionId, long lastSeq, @Nullable String model) {
        SessionDirectory.Lookup found = directory.find(sessionId, principal.tenant().id());
        if (found instanceof SessionDirectory.Lookup.Absent) {
            return new Outcome.Refuse(BrokerHandler.sessionEnded());
        }
        if (found instanceof SessionDirectory.Lookup.Unavailable unavailable) {
            return refuse("cluster_store_unavailable", "this session is held by another broker node and the cluster "
                    + "store cannot be reached to find it (" + unavailable.message() + "); retry the resume");
        }
        if (found instanceof SessionDirectory.Lookup.Unresumable unresumable) {
            return refuse(unresumable.code(), unresumable.message());
        }
        if (found instanceof SessionDirectory.Lookup.OwnedBy owned) {
            Optional<ErrorDetail> otherModel = BrokerHandler.otherModel(owned.model(), model);
            if (otherModel.isPresent()) {
                return new Outcome.Refuse(otherModel.get());
            }
            // The owner keeps the session and its upstream; this node serves the client from the mirrored stream
            // and forwards the client's frames, unread, to the owner, which decodes them as its own.
            return new Outcome.Attach(cluster.follow(principal, sessionId, owned.model(), owned.node(), shards.get()),
                    context.codec()::peekClient);
        }
        SessionDirectory.Lookup.TakenOver taken = (SessionDirectory.Lookup.TakenOver) found;
        Optional<ErrorDetail> otherModel = BrokerHandler.otherModel(taken.model(), model);
        if (otherModel.isPresent()) {
            return new Outcome.Refuse(otherModel.get());
        }
        Admission admitted = gatekeeper.admitModel(principal, taken.model());
        if (admitted instanceof Admission.Refused refused) {
            return refuse("session_lost", "the session's model " + taken.model() + " is not served by this node ("
                    + refused.errorDetail().message() + "); start a new session");
        }
        Route route = ((Admission.Admitted) admitted).route().orElseThrow();
        if (SessionFactory.relayed(route)) {
            return refuse("session_lost", "the session's model " + taken.model() + " is relayed to a Realtime "
                    + "provider now, and its conversation cannot move there; start a new session");
        }
        if (!taken.takeover().canReplayAfter(lastSeq)) {
            return refuse("resume_position_unavailable", "last_seq " + lastSeq + " is not in what the lost node "
                    + "mirrored (up to seq " + taken.takeover().lastSeq() + "); start a new session");
        }
        // The session now counts against the tenant's concurrent_sessions here; the lost node's slot was reclaimed
        // when its heartbeat lapsed, and a node that handed the session over gave its slot back.
        Optional<Admission.Refused> full = gatekeeper.admitSession(principal);
        if (full.isPresent()) {
            return new Outcome.Refuse(full.get().errorDetail());
        }
        RealtimeSession session = new RealtimeSession(principal, route, shards.get(), context, taken.takeover());
        context.store().adopt(session);
        return new Outcome.Attach(session, SessionFactory.decoder(session, context.codec()));
    }

    private static Outcome refuse(String code, String message) {
        return new Outcome.Refuse(ErrorDetail.invalidRequest(code, message, ""));
    }
}
