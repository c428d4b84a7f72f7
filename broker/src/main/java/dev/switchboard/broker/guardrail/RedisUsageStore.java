package dev.switchboard.broker.guardrail;

import dev.switchboard.broker.cluster.ClusterLink;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The usage store shared by every broker of a cluster, on Redis (issue 17): the same counters and the same
 * semantics as {@link LocalUsageStore}, each operation one atomic Lua script ({@code src/main/resources/redis/}),
 * under keys {@code sb:g:COUNTER}.
 *
 * <h2>Design</h2>
 * <ul>
 *   <li>Rates: GCRA, the theoretical arrival time in microseconds per counter ({@code gcra_take.lua} is all or
 *       nothing for its cost); the script returns the time and Java turns it into a {@link RateState} with the
 *       local store's arithmetic, so remaining, reset and retry-after read the same on both stores.</li>
 *   <li>Concurrency slots: a hash per counter, node id → slots that node holds. Acquiring (and reading) sums the
 *       slots of live nodes and deletes the entries of nodes whose heartbeat key {@code sb:node:ID} is gone, so the
 *       slots of a dead node are reclaimed by the next acquire after its heartbeat lapsed. At start a node clears
 *       entries left under its own id by an earlier process with the same {@code node_id}.</li>
 *   <li>Spend: {@code INCRBY} with an expiry past the end of the budget's period. Per output delta nothing waits:
 *       {@link #add} returns this node's view (the last total Redis reported plus what this node added since) and
 *       the increment goes out asynchronously; its reply refreshes the view. An increment that fails (Redis away)
 *       is kept and sent again by the sweep, so an {@code open} tenant's spend during an outage is counted once
 *       Redis is back.</li>
 * </ul>
 *
 * <h2>Threading</h2>
 * Thread-safe. {@link #take}, {@link #tryAcquire}, {@link #get}, {@link #peek} and {@link #held} wait for one round
 * trip (at most the link's command timeout; then {@link UsageStoreException}); the guardrails call them on
 * {@link #waitingCalls()} (response admission), on Jetty pool threads (session admission) and on admin threads,
 * never on a shard thread or a selector. {@link #charge}, {@link #release}, {@link #add} and {@link #known} never
 * wait. The sweep (failed releases and increments) runs on the link's scheduler every heartbeat.
 */
public final class RedisUsageStore implements UsageStore, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisUsageStore.class);
    /** Every guardrail key starts with this. */
    static final String PREFIX = ClusterLink.PREFIX + "g:";
    private static final long WINDOW_MICROS = 60_000_000L;
    /** Longer than the link's command timeout: the link fails a command first. */
    private static final Duration WAIT = Duration.ofSeconds(3);
    private static final long DAY_MILLIS = Duration.ofDays(1).toMillis();
    /** Threads that wait for Redis on behalf of response admissions, and how many admissions may queue for them. */
    private static final int WAITING_THREADS = 8;
    private static final int WAITING_QUEUE = 4096;

    private final ClusterLink link;
    private final RedisAsyncCommands<String, String> redis;
    private final String node;
    private final RedisScript takeScript = RedisScript.load("gcra_take");
    private final RedisScript chargeScript = RedisScript.load("gcra_charge");
    private final RedisScript acquireScript = RedisScript.load("slot_acquire");
    private final RedisScript releaseScript = RedisScript.load("slot_release");
    private final RedisScript heldScript = RedisScript.load("slot_held");
    private final RedisScript spendScript = RedisScript.load("spend_add");
    private final ConcurrentHashMap<String, SpendView> views = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> unreleased = new ConcurrentLinkedQueue<>();
    private final ThreadPoolExecutor waiting;
    private final AtomicInteger failures = new AtomicInteger();

    private RedisUsageStore(ClusterLink link) {
        this.link = link;
        this.redis = link.redis();
        this.node = link.nodeId();
        AtomicInteger threads = new AtomicInteger();
        this.waiting = new ThreadPoolExecutor(WAITING_THREADS, WAITING_THREADS, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(WAITING_QUEUE), r -> {
                    Thread thread = new Thread(r, "switchboard-guardrail-" + threads.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        this.waiting.allowCoreThreadTimeOut(true);
    }

    /**
     * Loads the scripts, clears slots an earlier process under this node id left, and starts the sweep. Blocks
     * (start-up only).
     *
     * @throws IllegalStateException when Redis does not answer
     */
    public static RedisUsageStore start(ClusterLink link) {
        RedisUsageStore store = new RedisUsageStore(link);
        for (RedisScript script : List.of(store.takeScript, store.chargeScript, store.acquireScript,
                store.releaseScript, store.heldScript, store.spendScript)) {
            store.await(script.register(store.redis));
        }
        store.clearOwnSlots();
        long every = link.config().heartbeat().toMillis();
        link.scheduler().scheduleWithFixedDelay(store::sweep, every, every, TimeUnit.MILLISECONDS);
        return store;
    }

    @Override
    public Optional<Executor> waitingCalls() {
        return Optional.of(waiting);
    }

    // ---- rates ----

    @Override
    public RateState take(String key, long limit, long cost, long nowMillis) {
        long now = nowMillis * 1000;
        long interval = interval(limit);
        List<Long> reply = await(takeScript.<List<Long>>run(redis, ScriptOutputType.MULTI, keys(key),
                Long.toString(now), Long.toString(interval), Long.toString(Math.max(0, cost)),
                Long.toString(WINDOW_MICROS)));
        long tat = reply.get(1);
        if (reply.get(0) == 0) {
            long next = tat + cost * interval;
            long wait = cost * interval > WINDOW_MICROS ? WINDOW_MICROS : next - now - WINDOW_MICROS;
            return new RateState(false, remaining(tat, now, interval, limit), (tat - now) / 1000,
                    Math.max(1, wait / 1000));
        }
        return new RateState(true, remaining(tat, now, interval, limit), Math.max(0, tat - now) / 1000, 0);
    }

    @Override
    public void charge(String key, long limit, long cost, long nowMillis) {
        // Fire and forget: a lost charge only lets a rate refill sooner, and it is whole within a minute anyway.
        chargeScript.<Long>run(redis, ScriptOutputType.INTEGER, keys(key), Long.toString(nowMillis * 1000),
                Long.toString(interval(limit)), Long.toString(cost)).whenComplete((tat, failure) -> {
                    if (failure != null) {
                        failed("charge", failure);
                    }
                });
    }

    @Override
    public RateState peek(String key, long limit, long nowMillis) {
        String value = await(redis.get(PREFIX + key));
        long now = nowMillis * 1000;
        long tat = Math.max(value == null ? 0 : Long.parseLong(value), now);
        long interval = interval(limit);
        return new RateState(true, remaining(tat, now, interval, limit), (tat - now) / 1000, 0);
    }

    private static long interval(long limit) {
        return Math.max(1, WINDOW_MICROS / Math.max(1, limit));
    }

    private static long remaining(long tat, long now, long interval, long limit) {
        long left = (now + WINDOW_MICROS - Math.max(tat, now)) / interval;
        return Math.max(0, Math.min(limit, left));
    }

    // ---- concurrency slots ----

    @Override
    public boolean tryAcquire(String key, long limit) {
        Long taken = await(acquireScript.<Long>run(redis, ScriptOutputType.INTEGER, keys(key), node,
                Long.toString(limit), ClusterLink.PREFIX + "node:"));
        return taken != null && taken == 1;
    }

    @Override
    public void release(String key) {
        releaseScript.<Long>run(redis, ScriptOutputType.INTEGER, keys(key), node).whenComplete((n, failure) -> {
            if (failure != null) {
                // A slot never comes back by itself: the sweep gives it back once Redis answers.
                failed("release", failure);
                unreleased.add(key);
            }
        });
    }

    @Override
    public long held(String key) {
        Long held = await(heldScript.<Long>run(redis, ScriptOutputType.INTEGER, keys(key), node,
                ClusterLink.PREFIX + "node:"));
        return held == null ? 0 : held;
    }

    // ---- spend ----

    @Override
    public long add(String key, long amount) {
        SpendView view = view(key);
        long total = view.add(amount);
        send(key, view, amount);
        return total;
    }

    private void send(String key, SpendView view, long amount) {
        spendScript.<Long>run(redis, ScriptOutputType.INTEGER, keys(key), Long.toString(amount),
                Long.toString(expiryMillis(key))).whenComplete((total, failure) -> {
                    if (failure == null) {
                        view.reported(amount, total);
                    } else {
                        failed("spend", failure);
                        view.unsent(amount);
                    }
                });
    }

    @Override
    public long get(String key) {
        String value = await(redis.get(PREFIX + key));
        return view(key).fetched(value == null ? 0 : Long.parseLong(value));
    }

    @Override
    public long known(String key) {
        SpendView view = views.get(key);
        return view == null ? 0 : view.total();
    }

    private SpendView view(String key) {
        SpendView view = views.get(key);
        return view != null ? view : views.computeIfAbsent(key, k -> new SpendView());
    }

    /** Past the end of the counter's period: a day counter ({@code .../dYYYY-MM-DD}) two days, a month one 32. */
    private static long expiryMillis(String key) {
        int slash = key.lastIndexOf('/');
        boolean day = slash >= 0 && slash + 1 < key.length() && key.charAt(slash + 1) == 'd';
        return (day ? 2 : 32) * DAY_MILLIS;
    }

    // ---- upkeep ----

    /** Scheduler thread: gives back failed releases and sends failed increments again; forgets idle views. */
    void sweep() {
        try {
            for (int n = unreleased.size(); n > 0; n--) {
                String key = unreleased.poll();
                if (key == null) {
                    break;
                }
                release(key);
            }
            long idleBefore = System.nanoTime() - TimeUnit.HOURS.toNanos(1);
            views.forEach((key, view) -> {
                long unsent = view.takeUnsent();
                if (unsent != 0) {
                    send(key, view, unsent);
                } else if (view.idleSince(idleBefore)) {
                    views.remove(key, view);
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("guardrail store sweep failed: {}", e.toString());
        }
    }

    private void clearOwnSlots() {
        for (String pattern : List.of(PREFIX + "responses/*", PREFIX + "sessions/*")) {
            ScanCursor cursor = ScanCursor.INITIAL;
            for (int pages = 0; pages < 100_000 && !cursor.isFinished(); pages++) {
                KeyScanCursor<String> page = await(redis.scan(cursor, ScanArgs.Builder.matches(pattern).limit(500)));
                for (String key : page.getKeys()) {
                    await(redis.hdel(key, node));
                }
                cursor = page;
            }
        }
    }

    private void failed(String what, Throwable failure) {
        // Logged once per outage, not once per call: the link logs reachability, this counts.
        if (failures.getAndIncrement() == 0) {
            LOG.warn("guardrail store: a {} did not reach Redis ({}); failed calls are retried or refused by "
                    + "on_guardrail_failure", what, failure.toString());
        }
    }

    /** How many asynchronous calls failed (charges, releases, increments). */
    int failures() {
        return failures.get();
    }

    private <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new UsageStoreException("Redis: " + (e.getCause() == null ? e : e.getCause()).getMessage());
        } catch (TimeoutException e) {
            throw new UsageStoreException("Redis did not answer within " + WAIT.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UsageStoreException("interrupted while waiting for Redis");
        }
    }

    private static String[] keys(String key) {
        return new String[] {PREFIX + key};
    }

    /** Stops the admission threads; queued admissions are refused. The link is closed by its owner. */
    @Override
    public void close() {
        waiting.shutdownNow();
    }
}
