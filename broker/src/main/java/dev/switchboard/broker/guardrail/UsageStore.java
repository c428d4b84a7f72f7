package dev.switchboard.broker.guardrail;

/**
 * Where guardrail counters live: rate windows, concurrency slots and budget spend, shared by every session (and,
 * with a shared store, by every broker). The local store keeps them in memory (and in a file across restarts); a
 * Redis store comes with scale-out.
 *
 * <p>Every method is thread-safe. On a local store every method is non-blocking: it is called on shard threads and
 * Jetty threads. A remote store ({@link #waitingCalls()} present, e.g. {@link RedisUsageStore}) answers
 * {@link #take}, {@link #tryAcquire}, {@link #get}, {@link #peek} and {@link #held} only after a round trip (bounded
 * by its command timeout), so the guardrails call those on the store's executor, on Jetty pool threads or admin
 * threads, never on a shard thread or a selector; {@link #charge}, {@link #release}, {@link #add} and {@link #known}
 * never wait on any store. A store that cannot answer throws {@link UsageStoreException}; the tenant's
 * {@code on_guardrail_failure} decides what follows.
 *
 * <p>Rates use the generic cell rate algorithm (GCRA) over one minute: a limit of {@code L} per minute refills one
 * unit every {@code 60 s / L} and holds at most {@code L}, so a burst of {@code L} passes at once and then one unit
 * per interval; there is no window edge at which twice the limit can pass. State is one theoretical arrival time per
 * counter, so taking is one compare-and-set.
 */
public interface UsageStore {

    /**
     * Takes {@code cost} units from the rate counter {@code key} (limit {@code limit} per minute) if they fit now;
     * otherwise takes nothing.
     */
    RateState take(String key, long limit, long cost, long nowMillis);

    /**
     * Charges {@code cost} units (negative refunds) without refusing: usage metered after admission. Returns
     * nothing, so the per-delta path allocates nothing.
     */
    void charge(String key, long limit, long cost, long nowMillis);

    /** Takes one of {@code limit} concurrency slots of {@code key}, if one is free. */
    boolean tryAcquire(String key, long limit);

    /** Gives back a slot taken with {@link #tryAcquire}. */
    void release(String key);

    /**
     * Adds {@code amount} to the spend counter {@code key} and returns the new total (a remote store: the total as
     * {@link #known} sees it after the addition; the addition reaches the store asynchronously).
     */
    long add(String key, long amount);

    /** The spend counter {@code key}'s total. */
    long get(String key);

    /**
     * The spend counter {@code key}'s total as far as this node knows it now, without waiting: a local store's total;
     * a remote store's last reported total plus what this node added since (what a per-delta budget check reads).
     */
    default long known(String key) {
        return get(key);
    }

    /**
     * Where calls that wait for this store must run ({@link #take}, {@link #tryAcquire}, {@link #get}): present for
     * a remote store, empty for a store whose calls never wait. The executor may refuse work
     * ({@link java.util.concurrent.RejectedExecutionException}) when it is saturated.
     */
    default java.util.Optional<java.util.concurrent.Executor> waitingCalls() {
        return java.util.Optional.empty();
    }

    /** The rate counter {@code key}'s state now, taking nothing (what the admin API reports). */
    RateState peek(String key, long limit, long nowMillis);

    /** The concurrency slots of {@code key} in use now (what the admin API reports). */
    long held(String key);

    /**
     * A rate counter after a take or a charge.
     *
     * @param admitted whether the take fitted (always true for a charge)
     * @param remaining units left now
     * @param resetMillis until the counter is whole again
     * @param retryAfterMillis for a refused take, until it would fit; 0 otherwise
     */
    record RateState(boolean admitted, long remaining, long resetMillis, long retryAfterMillis) {
    }
}
