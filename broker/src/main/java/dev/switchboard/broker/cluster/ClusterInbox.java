package dev.switchboard.broker.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.broker.session.BrokerSession;
import dev.switchboard.broker.session.ResumeRequest;
import dev.switchboard.broker.session.SessionContext;
import dev.switchboard.broker.session.SessionFactory;
import dev.switchboard.broker.session.SessionSignal;
import dev.switchboard.broker.stream.RingRetry;
import dev.switchboard.protocol.close.CloseReason;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Messages between nodes about sessions one owns and another serves (issue 17), over Redis publish/subscribe on
 * one channel per node ({@code sb:n:NODE}). A follower tells the owner that its client attached after a seq, sends
 * the client's frames, and says when the client went away; the owner tells a follower that the session is gone.
 * Messages from one node to another keep their order (one connection publishes them all).
 *
 * <p>Threading: {@link #attach}, {@link #forward} and {@link #detach} are called on shard threads and only publish
 * (asynchronously). Received messages are handled on Lettuce's event loop and only touch thread-safe state and the
 * sessions' rings.
 */
public final class ClusterInbox implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterInbox.class);

    private final ClusterLink link;
    private final ObjectMapper mapper;
    private final SessionContext context;
    private final StatefulRedisPubSubConnection<String, String> subscription;
    /** Clients of sessions owned here and served by other nodes, by session id. */
    private final Map<String, RemoteChannel> remotes = new ConcurrentHashMap<>();
    /** Sessions followed here, by session id (to tell them when their owner says the session is gone). */
    private final Map<String, FollowerSession> followers = new ConcurrentHashMap<>();

    /** Subscribes to this node's channel. Blocks until subscribed (start-up). */
    public ClusterInbox(ClusterLink link, SessionContext context) {
        this.link = link;
        this.mapper = context.codec().mapper();
        this.context = context;
        this.subscription = link.client().connectPubSub();
        this.subscription.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                receive(message);
            }
        });
        this.subscription.sync().subscribe(channel(link.nodeId()));
    }

    static String channel(String node) {
        return ClusterLink.PREFIX + "n:" + node;
    }

    /** A follower's client attached after {@code lastSeq}: the owner attaches its stand-in. Any thread. */
    void attach(String owner, String sessionId, String followerId, long lastSeq) {
        send(owner, message("attach", sessionId).put("from", link.nodeId()).put("fid", followerId)
                .put("last_seq", lastSeq));
    }

    /** A follower's client sent {@code frame}. Any thread. */
    void forward(String owner, String sessionId, String followerId, String frame) {
        send(owner, message("frame", sessionId).put("fid", followerId).put("text", frame));
    }

    /** A follower's client went away: the session waits for a resume ({@code keep}) or ends. Any thread. */
    void detach(String owner, String sessionId, String followerId, boolean keep) {
        send(owner, message("detach", sessionId).put("fid", followerId).put("keep", keep));
    }

    /** Registers a follower, to hear that its session is gone. */
    void followed(FollowerSession follower) {
        followers.put(follower.id(), follower);
    }

    /** Runs {@code action} for every session followed here (a drain tells their clients to move). */
    void forEachFollower(java.util.function.Consumer<FollowerSession> action) {
        followers.values().forEach(action);
    }

    /** Forgets a follower. */
    void unfollowed(FollowerSession follower) {
        followers.remove(follower.id(), follower);
    }

    private ObjectNode message(String op, String sessionId) {
        return mapper.createObjectNode().put("op", op).put("sid", sessionId);
    }

    private void send(String node, ObjectNode message) {
        link.redis().publish(channel(node), message.toString());
    }

    private void receive(String text) {
        JsonNode message;
        try {
            message = mapper.readTree(text);
        } catch (java.io.IOException e) {
            LOG.warn("cluster: an unreadable message on this node's channel was ignored");
            return;
        }
        String sid = message.path("sid").asText();
        String fid = message.path("fid").asText();
        switch (message.path("op").asText()) {
            case "attach" -> attached(sid, message.path("from").asText(), fid, message.path("last_seq").asLong());
            case "frame" -> {
                // Only from the follower attached now: a replaced one's late frames belong to a client that left.
                RemoteChannel remote = remotes.get(sid);
                if (remote == null || !remote.followerId().equals(fid)) {
                    return;
                }
                Optional<BrokerSession> session = context.store().get(sid);
                if (session.isPresent()) {
                    remote.feed().client(SessionFactory.decoder(session.get(), context.codec())
                            .apply(message.path("text").asText()), System.nanoTime());
                }
            }
            case "detach" -> {
                RemoteChannel remote = remotes.get(sid);
                if (remote != null && remote.followerId().equals(fid) && remotes.remove(sid, remote)) {
                    remote.detached(message.path("keep").asBoolean(true));
                }
            }
            case "gone" -> {
                FollowerSession follower = followers.get(sid);
                if (follower != null && follower.followerId().equals(fid)) {
                    RingRetry.publish(follower.shard(), follower, new SessionSignal.Followed(List.of(),
                            CloseReason.RESUME_FAILED.wireCode(), "resume_token_expired"), context.scheduler(),
                            () -> { });
                }
            }
            default -> LOG.debug("cluster: unknown message op ignored");
        }
    }

    /** Another node's client resumed a session of this node: attach a stand-in for it, or say it is gone. */
    private void attached(String sid, String from, String fid, long lastSeq) {
        Optional<BrokerSession> session = context.store().get(sid);
        if (session.isEmpty()) {
            send(from, message("gone", sid).put("fid", fid));
            return;
        }
        RemoteChannel remote = new RemoteChannel(session.get(), from, fid, context.mirror(), context.scheduler());
        RemoteChannel previous = remotes.put(sid, remote);
        if (previous != null) {
            previous.detached(true);
        }
        remote.feed().signal(new SessionSignal.Resumed(new ResumeRequest(remote, lastSeq)));
    }

    @Override
    public void close() {
        subscription.close();
    }
}
