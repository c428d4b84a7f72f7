package dev.switchboard.broker.guardrail;

/**
 * A usage store that fails on demand: while {@link #failing} is set, every call throws {@link UsageStoreException}
 * (as a store that cannot be reached would); otherwise it passes the call to the real store. Thread-safe.
 */
final class FailingStore implements UsageStore {
    /** Set by the test thread, read on shard and Jetty threads. */
    volatile boolean failing;
    private final UsageStore store;

    FailingStore(UsageStore store) {
        this.store = store;
    }

    private void check() {
        if (failing) {
            throw new UsageStoreException("made to fail by the test");
        }
    }

    @Override
    public RateState take(String key, long limit, long cost, long nowMillis) {
        check();
        return store.take(key, limit, cost, nowMillis);
    }

    @Override
    public void charge(String key, long limit, long cost, long nowMillis) {
        check();
        store.charge(key, limit, cost, nowMillis);
    }

    @Override
    public boolean tryAcquire(String key, long limit) {
        check();
        return store.tryAcquire(key, limit);
    }

    @Override
    public void release(String key) {
        check();
        store.release(key);
    }

    @Override
    public long add(String key, long amount) {
        check();
        return store.add(key, amount);
    }

    @Override
    public long get(String key) {
        check();
        return store.get(key);
    }

    @Override
    public RateState peek(String key, long limit, long nowMillis) {
        check();
        return store.peek(key, limit, nowMillis);
    }

    @Override
    public long held(String key) {
        check();
        return store.held(key);
    }
}
