package dev.switchboard.broker.cluster;

import dev.switchboard.broker.session.BrokerSession;
import dev.switchboard.broker.session.ClientChannel;
import dev.switchboard.broker.session.ResponseHooks;
import dev.switchboard.broker.session.SessionMirror;
import dev.switchboard.broker.session.SessionSignal;
import dev.switchboard.broker.stream.SessionFeed;
import dev.switchboard.protocol.close.CloseReason;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The owner's side of a client that another node serves (issue 17): attached to the session like a connection, so
 * the session runs as attached (no expiry, no replay-log stop), but it writes nothing — every frame reaches that
 * client through the mirror and the follower's {@link StreamTail}. The client's frames arrive from the follower
 * through {@link ClusterInbox} and enter the session's ring through this channel's feed, in order.
 *
 * <p>{@link #close} is mirrored as a close entry after the session's last frame, so the follower closes its client
 * with the same code once it has sent everything before it. Thread-safe.
 */
final class RemoteChannel implements ClientChannel {
    private final BrokerSession session;
    private final SessionMirror mirror;
    private final SessionFeed<SessionSignal> feed;
    private final String follower;
    private final String followerId;
    private volatile boolean keep = true;
    private volatile boolean closed;

    RemoteChannel(BrokerSession session, String follower, String followerId, SessionMirror mirror,
                  ScheduledExecutorService scheduler) {
        this.session = session;
        this.follower = follower;
        this.followerId = followerId;
        this.mirror = mirror;
        this.feed = new SessionFeed<>(session, session.shard(), scheduler, () -> { });
    }

    /** The node that serves the client. */
    String follower() {
        return follower;
    }

    /** The follower (one client connection on that node) this stands in for. */
    String followerId() {
        return followerId;
    }

    /** The session's ring, in order, for this client's frames and signals. */
    SessionFeed<SessionSignal> feed() {
        return feed;
    }

    /** The client went away on the follower: the session waits for a resume ({@code keep}) or ends. */
    void detached(boolean keepSession) {
        keep = keepSession;
        closed = true;
        feed.signal(new SessionSignal.Closed(this));
    }

    @Override
    public boolean trySend(String frame) {
        return true;
    }

    @Override
    public ResponseHooks.Transport transport() {
        return ResponseHooks.Transport.WEBSOCKET;
    }

    @Override
    public boolean followsElsewhere() {
        return true;
    }

    @Override
    public void close(CloseReason reason, String message) {
        if (closed) {
            return;
        }
        closed = true;
        keep = reason.isRetryable();
        mirror.control(session.id(), reason.wireCode(), message, followerId);
        feed.signal(new SessionSignal.Closed(this));
    }

    @Override
    public boolean keepsSessionOnClose() {
        return keep;
    }
}
