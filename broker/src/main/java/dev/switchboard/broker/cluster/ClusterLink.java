package dev.switchboard.broker.cluster;

import dev.switchboard.broker.config.Cluster;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's link to the shared Redis store: one shared, thread-safe, asynchronous connection, this node's
 * heartbeat, and whether another node is alive.
 *
 * <p>A node is alive while its heartbeat key {@code sb:node:ID} exists: the node rewrites it every heartbeat with
 * an expiry of three heartbeats, so a node that stops (SIGKILL, a frozen process, a lost network) is dead three
 * heartbeats after its last beat, and a node that stops cleanly deletes it at once. Commands never wait for Redis on
 * the caller's thread: they return futures; while Redis cannot be reached they fail at once (commands are rejected
 * while disconnected, not queued), and the link reconnects by itself.
 *
 * <p>Thread-safe.
 */
public final class ClusterLink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterLink.class);
    /** Every key this project writes starts with this. */
    public static final String PREFIX = "sb:";
    /** How long a command may wait for Redis before it fails. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);

    private final Cluster config;
    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final ScheduledThreadPoolExecutor scheduler;
    private volatile boolean reachable = true;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.List<Runnable> closing = new java.util.concurrent.CopyOnWriteArrayList<>();

    private ClusterLink(Cluster config, ClientResources resources, RedisClient client,
                        StatefulRedisConnection<String, String> connection, ScheduledThreadPoolExecutor scheduler) {
        this.config = config;
        this.resources = resources;
        this.client = client;
        this.connection = connection;
        this.scheduler = scheduler;
    }

    /**
     * Connects to the configured Redis and starts the heartbeat; empty for a local store. Blocks until connected
     * (start-up only).
     *
     * @throws IllegalStateException when Redis cannot be reached at start-up (the message names the URI's host)
     */
    public static Optional<ClusterLink> start(Cluster config) {
        if (!config.shared()) {
            return Optional.empty();
        }
        // Two event-loop threads are plenty for one pipelined connection plus the stream tails (the default is
        // one per core, at least two, for I/O and computation each).
        ClientResources resources = DefaultClientResources.builder().ioThreadPoolSize(2)
                .computationThreadPoolSize(2).build();
        RedisURI uri = RedisURI.create(config.store().redis().orElseThrow());
        uri.setTimeout(COMMAND_TIMEOUT);
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // While Redis is away, commands fail at once instead of queueing without bound: a guardrail decides
                // by on_guardrail_failure, a replay write is counted as lost, and nothing waits.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .socketOptions(SocketOptions.builder().connectTimeout(COMMAND_TIMEOUT).keepAlive(true).build())
                .build());
        StatefulRedisConnection<String, String> connection;
        try {
            connection = client.connect();
        } catch (RedisConnectionException e) {
            client.shutdown();
            resources.shutdown();
            throw new IllegalStateException("cluster.store.uri: cannot reach Redis at "
                    + uri.getHost() + ":" + uri.getPort() + " (" + e.getMessage() + ")", e);
        }
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "switchboard-cluster");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.setRemoveOnCancelPolicy(true);
        ClusterLink link = new ClusterLink(config, resources, client, connection, scheduler);
        try {
            // The first beat is in before start returns: a node that has started is alive to every other node.
            link.beat().get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            link.close();
            throw new IllegalStateException("cluster.store.uri: Redis did not take this node's heartbeat ("
                    + e.getMessage() + ")", e);
        }
        long every = config.heartbeat().toMillis();
        scheduler.scheduleWithFixedDelay(link::beat, every, every, TimeUnit.MILLISECONDS);
        LOG.info("cluster: node {} joined through Redis at {}:{}", config.nodeId(), uri.getHost(), uri.getPort());
        return Optional.of(link);
    }

    /** This node's id. */
    public String nodeId() {
        return config.nodeId();
    }

    /** The cluster settings this link runs with. */
    public Cluster config() {
        return config;
    }

    /** The shared connection's asynchronous commands. Any thread; never wait on a shard or selector thread. */
    public RedisAsyncCommands<String, String> redis() {
        return connection.async();
    }

    /** The Redis client, for connections of their own (blocking stream reads, publish/subscribe). */
    public RedisClient client() {
        return client;
    }

    /** The link's own scheduler thread (heartbeats, periodic cluster work); tasks must not block for long. */
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /** Whether the last heartbeat reached Redis. */
    public boolean reachable() {
        return reachable;
    }

    /** Whether {@code nodeId}'s heartbeat is current; completes on Lettuce's event loop. */
    public CompletionStage<Boolean> alive(String nodeId) {
        if (nodeId.equals(config.nodeId())) {
            return java.util.concurrent.CompletableFuture.completedFuture(true);
        }
        return redis().exists(nodeKey(nodeId)).thenApply(n -> n != null && n > 0);
    }

    static String nodeKey(String nodeId) {
        return PREFIX + "node:" + nodeId;
    }

    private java.util.concurrent.CompletableFuture<String> beat() {
        return redis().set(nodeKey(config.nodeId()), Long.toString(System.currentTimeMillis()),
                SetArgs.Builder.px(config.deadAfter().toMillis())).whenComplete((ok, failure) -> {
                    boolean now = failure == null;
                    if (now != reachable) {
                        reachable = now;
                        if (now) {
                            LOG.info("cluster: Redis reachable again; node {} is beating", config.nodeId());
                        } else {
                            LOG.warn("cluster: Redis unreachable; node {} cannot beat ({})", config.nodeId(),
                                    failure.getMessage());
                        }
                    }
                }).toCompletableFuture();
    }

    /** Runs {@code task} when the link closes, before the connection does: for users of the link to stop first. */
    public void onClose(Runnable task) {
        closing.add(task);
    }

    /** Leaves the cluster at once (the heartbeat key is deleted), then closes the connection. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        scheduler.shutdownNow();
        closing.forEach(Runnable::run);
        try {
            redis().del(nodeKey(config.nodeId())).get(1, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Leaving is best effort: the heartbeat lapses by itself.
        }
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        resources.shutdown(0, 1, TimeUnit.SECONDS);
    }
}
