package dev.switchboard.broker.cluster;

import dev.switchboard.broker.session.SessionSignal;
import dev.switchboard.broker.session.Takeover;
import dev.switchboard.broker.stream.RingRetry;
import dev.switchboard.protocol.close.CloseReason;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the mirrored streams of the sessions this node follows (issue 17) and hands their frames to the followers
 * through their rings, in order; stops at a close the owner mirrored. Reads for a follower only while its client
 * has room, so a slow client holds back its own reads, never the others'. Every heartbeat it checks that each
 * followed session's owner is alive; a follower whose owner was lost is told to reconnect its client, whose resume
 * then takes the session over.
 *
 * <p>One thread ({@code switchboard-tail}) with a connection of its own, blocked in {@code XREAD} at most
 * {@link #BLOCK_MS} at a time. {@link #follow}, {@link #unfollow} and {@link #wake} are called from any thread.
 */
final class StreamTail implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamTail.class);
    private static final long BLOCK_MS = 50;
    private static final long COUNT = 256;

    private final ClusterLink link;
    private final StatefulRedisConnection<String, String> connection;
    private final ScheduledExecutorService scheduler;
    /** Followed sessions and the id of the last stream entry handed to each. */
    private final Map<FollowerSession, String> followed = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean closed;

    StreamTail(ClusterLink link, ScheduledExecutorService ringRetries) {
        this.link = link;
        this.connection = link.client().connect();
        this.scheduler = ringRetries;
        this.thread = new Thread(this::run, "switchboard-tail");
        this.thread.setDaemon(true);
        this.thread.start();
        long every = link.config().heartbeat().toMillis();
        link.scheduler().scheduleWithFixedDelay(this::checkOwners, every, every, TimeUnit.MILLISECONDS);
    }

    /** Starts reading {@code follower}'s stream after the frame {@code lastSeq} its client has. */
    void follow(FollowerSession follower, long lastSeq) {
        followed.put(follower, lastSeq + "-1");
        wake();
    }

    /** Stops reading for {@code follower}. */
    void unfollow(FollowerSession follower) {
        followed.remove(follower);
    }

    /** A follower has room again (its next read is at most one blocked read away). */
    void wake() {
        LockSupport.unpark(thread);
    }

    private void run() {
        while (!closed) {
            Map<String, FollowerSession> byKey = new HashMap<>();
            List<XReadArgs.StreamOffset<String>> offsets = new ArrayList<>();
            followed.forEach((follower, lastId) -> {
                if (follower.wantsMore()) {
                    String key = RedisSessionMirror.logKey(follower.id());
                    byKey.put(key, follower);
                    offsets.add(XReadArgs.StreamOffset.from(key, lastId));
                }
            });
            if (offsets.isEmpty()) {
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(BLOCK_MS));
                continue;
            }
            try {
                @SuppressWarnings("unchecked")
                List<StreamMessage<String, String>> read = connection.sync().xread(
                        XReadArgs.Builder.block(BLOCK_MS).count(COUNT),
                        offsets.toArray(new XReadArgs.StreamOffset[0]));
                deliver(read, byKey);
            } catch (RuntimeException e) {
                if (!closed) {
                    LOG.debug("cluster: a stream read failed ({}); retrying", e.getMessage());
                    LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(BLOCK_MS * 4));
                }
            }
        }
    }

    private void deliver(List<StreamMessage<String, String>> read, Map<String, FollowerSession> byKey) {
        Map<FollowerSession, List<Takeover.Frame>> frames = new HashMap<>();
        Set<FollowerSession> closing = new HashSet<>();
        Map<FollowerSession, String[]> closes = new HashMap<>();
        for (StreamMessage<String, String> entry : read) {
            FollowerSession follower = byKey.get(entry.getStream());
            if (follower == null || closing.contains(follower) || !followed.containsKey(follower)) {
                continue;
            }
            String entryId = entry.getId();
            followed.replace(follower, entryId);
            Map<String, String> body = entry.getBody();
            if (body.containsKey("f")) {
                long seq = Long.parseLong(entryId.substring(0, entryId.indexOf('-')));
                frames.computeIfAbsent(follower, f -> new ArrayList<>()).add(new Takeover.Frame(seq, body.get("f")));
            } else if (body.containsKey("c") && follower.followerId().equals(body.get("t"))) {
                // The owner closed this follower's client: nothing after it is for this follower. (A close of an
                // earlier follower of the same session is not for this one and is passed over.)
                closing.add(follower);
                closes.put(follower, new String[] {body.get("c"), body.getOrDefault("r", "")});
                followed.remove(follower);
            }
        }
        Set<FollowerSession> signalled = new HashSet<>(frames.keySet());
        signalled.addAll(closes.keySet());
        for (FollowerSession follower : signalled) {
            String[] close = closes.get(follower);
            publish(follower, new SessionSignal.Followed(frames.getOrDefault(follower, List.of()),
                    close == null ? 0 : Integer.parseInt(close[0]), close == null ? "" : close[1]));
        }
    }

    /** Followers of a node that stopped beating are told to reconnect: their resume takes the session over. */
    private void checkOwners() {
        Set<String> owners = new HashSet<>();
        followed.keySet().forEach(follower -> owners.add(follower.owner()));
        for (String owner : owners) {
            link.alive(owner).whenComplete((alive, failure) -> {
                if (failure == null && !alive) {
                    followed.keySet().stream().filter(f -> f.owner().equals(owner)).toList().forEach(f -> {
                        followed.remove(f);
                        publish(f, new SessionSignal.Followed(List.of(), CloseReason.SERVICE_RESTART.wireCode(),
                                "the broker node holding this session was lost: reconnect and resume"));
                    });
                }
            });
        }
    }

    private void publish(FollowerSession follower, SessionSignal signal) {
        RingRetry.publish(follower.shard(), follower, signal, scheduler, () -> { });
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        try {
            thread.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connection.close();
    }
}
