package dev.switchboard.broker.cluster;

import dev.switchboard.broker.session.BrokerSession;
import dev.switchboard.broker.session.RealtimeSession;
import dev.switchboard.broker.session.SessionMirror;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mirrors sessions into Redis (issue 17) so that another node can resume them: a session's frames go to the Redis
 * Stream {@code sb:s:ID:log} (entry id {@code SEQ-1}, trimmed to about the replay log's event bound), its record and
 * last state snapshot to the hash {@code sb:s:ID} (tenant, key id, model, kind, owner node, state), both expiring
 * {@code sessions.resume_ttl} after the owner last refreshed them (every third of the TTL, not on every write).
 *
 * <p>Threading: shard threads call the {@link SessionMirror} methods, which only add to a lock-free queue (bounded:
 * past {@link #MAX_QUEUED} operations a frame is dropped and counted, and the session's log then has a gap, which
 * another node refuses to resume from). One writer thread ({@code switchboard-mirror}) takes what is queued, sends it
 * as one pipelined batch on a connection of its own, without waiting for the previous batch's replies (up to
 * {@link #MAX_IN_FLIGHT} commands unanswered); each batch's frames are confirmed to their sessions when its replies
 * are in. The hot path never waits for Redis, a burst costs one round trip, and a frame waits about one.
 */
public final class RedisSessionMirror implements SessionMirror, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisSessionMirror.class);
    /** Operations waiting for the writer at most; past it frames are dropped (and counted). */
    static final int MAX_QUEUED = 200_000;
    /** Operations sent in one pipelined batch at most. */
    private static final int MAX_BATCH = 4_096;
    private static final Duration BATCH_TIMEOUT = Duration.ofSeconds(2);
    /** Commands sent and not yet answered at most before the writer waits for Redis. */
    private static final int MAX_IN_FLIGHT = 32_768;
    /**
     * A close entry for a follower, right after the stream's last entry (id {@code MS-(SEQ+1)} of the last
     * {@code MS-SEQ}; {@code 0-2} in an empty stream), so it sorts after every frame mirrored before it and before
     * the next frame ({@code SEQ'-1} with a higher seq) — whichever node mirrored those frames.
     */
    private static final String CONTROL_AFTER_LAST = "local last = redis.call('XREVRANGE', KEYS[1], '+', '-', "
            + "'COUNT', 1) local ms, sq = 0, 1 if #last > 0 then local id = last[1][1] local d = string.find(id, '-') "
            + "ms = tonumber(string.sub(id, 1, d - 1)) sq = tonumber(string.sub(id, d + 1)) end "
            + "return redis.call('XADD', KEYS[1], ms .. '-' .. (sq + 1), 'c', ARGV[1], 'r', ARGV[2], 't', ARGV[3])";
    /** How long an ended session's keys stay (marked ended) for followers still reading its stream. */
    private static final long ENDED_KEEP_MILLIS = 30_000;

    private sealed interface Op {
        String sessionId();
    }

    private record Opened(String sessionId, String tenant, String keyId, String model, String kind) implements Op {
    }

    private record Frame(String sessionId, long seq, String text, LongConsumer confirmed) implements Op {
    }

    private record State(String sessionId, String json) implements Op {
    }

    private record Ended(String sessionId) implements Op {
    }

    private record Refresh(String sessionId) implements Op {
    }

    private record Control(String sessionId, int code, String reason, String follower) implements Op {
    }

    private record Released(String sessionId) implements Op {
    }

    private final ClusterLink link;
    private final StatefulRedisConnection<String, String> connection;
    private final long ttlMillis;
    private final int maxEvents;
    private final ConcurrentLinkedQueue<Op> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final Counter dropped;
    private final Counter failed;
    private final Thread writer;
    private volatile boolean sleeping;
    /**
     * Sessions opened here whose stream has no expiry yet: a stream is created by its first frame, which then sets it
     * (writer thread only). Afterwards both keys are refreshed every third of the TTL, not on every write.
     */
    private final Set<String> unexpiring = new HashSet<>();
    /** Whether the last batch failed: a failure streak is logged once (Lettuce's event loop). */
    private volatile boolean failing;
    /** Commands sent and not yet answered. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean closed;

    /**
     * Starts the writer.
     *
     * @param resumeTtl how long a session's keys live after they were last refreshed
     * @param maxEvents about how many frames a session's stream keeps (the replay log's bound)
     * @param localSessions the ids of the sessions this node holds, refreshed every third of {@code resumeTtl}
     */
    public RedisSessionMirror(ClusterLink link, Duration resumeTtl, int maxEvents, MeterRegistry meters,
                              Supplier<Iterable<String>> localSessions) {
        this.link = link;
        this.connection = link.client().connect();
        // One pipelined batch per flush: the writer sends a batch's commands together, then waits for their replies.
        this.connection.setAutoFlushCommands(false);
        this.ttlMillis = resumeTtl.toMillis();
        this.maxEvents = maxEvents;
        this.dropped = Counter.builder("broker.cluster.mirror.dropped")
                .description("Session frames not mirrored because the mirror queue was full").register(meters);
        this.failed = Counter.builder("broker.cluster.mirror.failures")
                .description("Mirror batches Redis did not confirm (unreachable, timed out)").register(meters);
        this.writer = new Thread(this::run, "switchboard-mirror");
        this.writer.setDaemon(true);
        this.writer.start();
        long every = Math.max(1_000, ttlMillis / 3);
        link.scheduler().scheduleWithFixedDelay(() -> localSessions.get().forEach(id -> offer(new Refresh(id))),
                every, every, TimeUnit.MILLISECONDS);
    }

    /** The hash holding session {@code id}'s record and state. */
    static String recordKey(String id) {
        return ClusterLink.PREFIX + "s:" + id;
    }

    /** The stream holding session {@code id}'s frames. */
    static String logKey(String id) {
        return ClusterLink.PREFIX + "s:" + id + ":log";
    }

    @Override
    public boolean active() {
        return true;
    }

    @Override
    public void opened(BrokerSession session) {
        offer(new Opened(session.id(), session.tenantId(), session.principal().keyId(), session.model(),
                session instanceof RealtimeSession ? "bridged" : "relay"));
    }

    @Override
    public void frame(String sessionId, long seq, String frame, LongConsumer confirmed) {
        if (!offer(new Frame(sessionId, seq, frame, confirmed))) {
            // Not mirrored: this session's log in Redis now has a gap (no other node will resume it), but its own
            // client must not wait for a confirmation that will never come.
            dropped.increment();
            confirmed.accept(seq);
        }
    }

    @Override
    public void state(String sessionId, String snapshot) {
        offer(new State(sessionId, snapshot));
    }

    @Override
    public void ended(String sessionId) {
        offer(new Ended(sessionId));
    }

    @Override
    public void control(String sessionId, int closeCode, String reason, String follower) {
        offer(new Control(sessionId, closeCode, reason, follower));
    }

    @Override
    public void released(String sessionId) {
        offer(new Released(sessionId));
    }

    private boolean offer(Op op) {
        if (closed || queued.incrementAndGet() > MAX_QUEUED) {
            queued.decrementAndGet();
            return false;
        }
        queue.add(op);
        if (sleeping) {
            LockSupport.unpark(writer);
        }
        return true;
    }

    private void run() {
        List<Op> batch = new ArrayList<>();
        while (!closed || !queue.isEmpty()) {
            Op op = queue.poll();
            if (op == null) {
                sleeping = true;
                if (queue.isEmpty() && !closed) {
                    LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(50));
                }
                sleeping = false;
                continue;
            }
            batch.add(op);
            while (batch.size() < MAX_BATCH && (op = queue.poll()) != null) {
                batch.add(op);
            }
            queued.addAndGet(-batch.size());
            send(batch);
            batch.clear();
        }
    }

    /** One pipelined batch: every command, one flush, then the replies. */
    private void send(List<Op> batch) {
        RedisAsyncCommands<String, String> redis = connection.async();
        List<RedisFuture<?>> replies = new ArrayList<>(batch.size() + 8);
        Map<LongConsumer, Long> confirmations = new java.util.IdentityHashMap<>();
        for (Op op : batch) {
            String id = op.sessionId();
            if (op instanceof Frame frame) {
                replies.add(redis.xadd(logKey(id), new XAddArgs().id(frame.seq() + "-1").maxlen(maxEvents)
                        .approximateTrimming(), Map.of("f", frame.text())));
                confirmations.merge(frame.confirmed(), frame.seq(), Math::max);
                if (unexpiring.remove(id)) {
                    // The stream exists from its first frame on: it expires like the record from now on.
                    replies.add(redis.pexpire(logKey(id), ttlMillis));
                }
            } else if (op instanceof State state) {
                replies.add(redis.hset(recordKey(id), "state", state.json()));
            } else if (op instanceof Opened opened) {
                replies.add(redis.hset(recordKey(id), Map.of("tenant", opened.tenant(), "key_id", opened.keyId(),
                        "model", opened.model(), "kind", opened.kind(), "owner", link.nodeId())));
                replies.add(redis.pexpire(recordKey(id), ttlMillis));
                unexpiring.add(id);
            } else if (op instanceof Control control) {
                replies.add(redis.eval(CONTROL_AFTER_LAST, ScriptOutputType.VALUE, new String[] {logKey(id)},
                        Integer.toString(control.code()), control.reason(), control.follower()));
            } else if (op instanceof Released) {
                replies.add(redis.hset(recordKey(id), "owner", ""));
            } else if (op instanceof Refresh) {
                replies.add(redis.pexpire(recordKey(id), ttlMillis));
                replies.add(redis.pexpire(logKey(id), ttlMillis));
            } else if (op instanceof Ended) {
                // Marked, then gone shortly: a follower still reading the stream finds its close entry first, and
                // no node takes an ended session over.
                replies.add(redis.hset(recordKey(id), "ended", "1"));
                replies.add(redis.pexpire(recordKey(id), ENDED_KEEP_MILLIS));
                replies.add(redis.pexpire(logKey(id), ENDED_KEEP_MILLIS));
                unexpiring.remove(id);
            }
        }
        connection.flushCommands();
        // Several batches may be in flight: a batch is sent as soon as it gathers, and confirmed when its replies are
        // in (Redis answers one connection's commands in order), so a frame waits one round trip, not two.
        int operations = replies.size();
        inFlight.addAndGet(operations);
        int size = batch.size();
        CompletableFuture.allOf(replies.stream().map(RedisFuture::toCompletableFuture)
                .toArray(CompletableFuture[]::new)).whenComplete((ok, failure) -> {
                    inFlight.addAndGet(-operations);
                    settled(failure == null, size, confirmations);
                });
        long deadline = System.nanoTime() + BATCH_TIMEOUT.toNanos();
        while (inFlight.get() > MAX_IN_FLIGHT && System.nanoTime() < deadline) {
            // Redis is slow: gather the next batch instead of piling more commands on the connection.
            LockSupport.parkNanos(this, TimeUnit.MICROSECONDS.toNanos(200));
        }
    }

    /** A batch's replies are in (Lettuce's event loop): confirm its frames, whatever the outcome. */
    private void settled(boolean confirmed, int size, Map<LongConsumer, Long> confirmations) {
        if (!confirmed) {
            failed.increment();
            if (!failing) {
                LOG.warn("cluster: Redis did not confirm a mirror batch of {} operations; sessions written meanwhile "
                        + "cannot be resumed on another node (broker_cluster_mirror_failures_total counts)", size);
            }
        } else if (failing) {
            LOG.info("cluster: mirror batches confirmed by Redis again");
        }
        failing = !confirmed;
        // Confirmed or not: a store that cannot be reached costs cross-node resume, never the clients' own streams.
        confirmations.forEach(LongConsumer::accept);
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(writer);
        try {
            writer.join(BATCH_TIMEOUT.toMillis() * 2);
            long deadline = System.nanoTime() + BATCH_TIMEOUT.toNanos();
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connection.close();
    }
}
