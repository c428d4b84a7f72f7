package dev.switchboard.broker.cluster;

import dev.switchboard.broker.session.SessionContext;
import dev.switchboard.broker.stream.Shard;
import dev.switchboard.broker.tenant.Principal;

/**
 * This node's part in sessions that move between nodes (issue 17): the directory that finds and takes over sessions
 * of lost nodes, the inbox for messages between owners and followers, and the tail that serves followers from the
 * mirrored streams. Built once per broker in a cluster; closed with it. Thread-safe.
 */
public final class ClusterSessions implements AutoCloseable {
    private final SessionDirectory directory;
    private final ClusterInbox inbox;
    private final StreamTail tail;
    private final SessionContext context;

    /** Starts the inbox's subscription and the tail's thread. */
    public ClusterSessions(ClusterLink link, SessionContext context) {
        this.directory = new SessionDirectory(link, context.codec().mapper());
        this.inbox = new ClusterInbox(link, context);
        this.tail = new StreamTail(link, context.scheduler());
        this.context = context;
    }

    /** The directory of sessions in the cluster. */
    public SessionDirectory directory() {
        return directory;
    }

    /**
     * A follower on {@code shard} for session {@code sessionId}, which live node {@code owner} holds; it starts when
     * its client's resume attaches.
     */
    public FollowerSession follow(Principal principal, String sessionId, String model, String owner, Shard shard) {
        return new FollowerSession(sessionId, principal, model, owner, shard, context, inbox, tail);
    }

    /** Runs {@code action} for every session another node owns and this one serves (a drain moves their clients). */
    public void forEachFollower(java.util.function.Consumer<? super FollowerSession> action) {
        inbox.forEachFollower(action::accept);
    }

    @Override
    public void close() {
        tail.close();
        inbox.close();
    }
}
