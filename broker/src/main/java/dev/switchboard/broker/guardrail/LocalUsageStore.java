package dev.switchboard.broker.guardrail;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The single-node usage store: one {@link AtomicLong} per counter in concurrent maps, so every operation is a read
 * of the map and a compare-and-set (a map bin is locked only the first time a counter is created).
 *
 * <p>Persistence: {@link #save(Path)} writes the rate counters and budget spend to a file (through a temporary
 * file and an atomic rename, so a crash leaves the previous file whole); {@link #load(Path)} reads it at start.
 * Concurrency slots are not saved: the sessions holding them do not survive a restart. The broker saves on its
 * scheduler thread every {@code usage.flush_interval} and at shutdown, so a crash loses at most that interval.
 */
public final class LocalUsageStore implements UsageStore {
    private static final long MINUTE_NANOS = 60_000_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Theoretical arrival times of the rate counters, in nanoseconds since the epoch. */
    private final ConcurrentHashMap<String, AtomicLong> rates = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicLong> slots = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicLong> spend = new ConcurrentHashMap<>();

    @Override
    public RateState take(String key, long limit, long cost, long nowMillis) {
        return gcra(key, limit, cost, nowMillis);
    }

    @Override
    public void charge(String key, long limit, long cost, long nowMillis) {
        AtomicLong tat = counter(rates, key);
        long now = nowMillis * 1_000_000L;
        long step = cost * (Math.max(1, MINUTE_NANOS / Math.max(1, limit)));
        long current;
        do {
            current = tat.get();
        } while (!tat.compareAndSet(current, Math.max(Math.max(current, now) + step, now)));
    }

    private RateState gcra(String key, long limit, long cost, long nowMillis) {
        AtomicLong tat = counter(rates, key);
        long now = nowMillis * 1_000_000L;
        long interval = Math.max(1, MINUTE_NANOS / Math.max(1, limit));
        while (true) {
            long current = tat.get();
            long base = Math.max(current, now);
            long next = base + cost * interval;
            boolean fits = next - now <= MINUTE_NANOS;
            if (!fits) {
                long wait = cost * interval > MINUTE_NANOS ? MINUTE_NANOS : next - now - MINUTE_NANOS;
                return new RateState(false, remaining(base, now, interval, limit), (base - now) / 1_000_000L,
                        Math.max(1, wait / 1_000_000L));
            }
            long stored = Math.max(next, now);
            if (tat.compareAndSet(current, stored)) {
                return new RateState(true, remaining(stored, now, interval, limit),
                        Math.max(0, stored - now) / 1_000_000L, 0);
            }
        }
    }

    @Override
    public RateState peek(String key, long limit, long nowMillis) {
        AtomicLong tat = rates.get(key);
        long now = nowMillis * 1_000_000L;
        long stored = tat == null ? now : Math.max(tat.get(), now);
        long interval = Math.max(1, MINUTE_NANOS / Math.max(1, limit));
        return new RateState(true, remaining(stored, now, interval, limit), (stored - now) / 1_000_000L, 0);
    }

    @Override
    public long held(String key) {
        AtomicLong used = slots.get(key);
        return used == null ? 0 : used.get();
    }

    private static long remaining(long tat, long now, long interval, long limit) {
        long left = (now + MINUTE_NANOS - Math.max(tat, now)) / interval;
        return Math.max(0, Math.min(limit, left));
    }

    @Override
    public boolean tryAcquire(String key, long limit) {
        AtomicLong used = counter(slots, key);
        while (true) {
            long current = used.get();
            if (current >= limit) {
                return false;
            }
            if (used.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    @Override
    public void release(String key) {
        AtomicLong used = slots.get(key);
        if (used != null) {
            used.updateAndGet(n -> Math.max(0, n - 1));
        }
    }

    @Override
    public long add(String key, long amount) {
        return counter(spend, key).addAndGet(amount);
    }

    @Override
    public long get(String key) {
        AtomicLong total = spend.get(key);
        return total == null ? 0 : total.get();
    }

    private static AtomicLong counter(ConcurrentHashMap<String, AtomicLong> map, String key) {
        AtomicLong counter = map.get(key);
        return counter != null ? counter : map.computeIfAbsent(key, k -> new AtomicLong());
    }

    /**
     * Writes the rate counters and the spend counters whose key {@code keep} accepts (the current periods'; older
     * ones are dropped from memory too) to {@code file}. Called on one thread at a time.
     */
    public void save(Path file, java.util.function.Predicate<String> keep) throws IOException {
        spend.keySet().removeIf(key -> !keep.test(key));
        ObjectNode root = JSON.createObjectNode().put("version", 1);
        ObjectNode rateNode = root.putObject("rates");
        rates.forEach((key, tat) -> rateNode.put(key, tat.get()));
        ObjectNode spendNode = root.putObject("spend");
        spend.forEach((key, total) -> spendNode.put(key, total.get()));
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), root);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Reads counters saved by {@link #save}; a missing file is an empty store. Called before any use. */
    public void load(Path file) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        ObjectNode root = (ObjectNode) JSON.readTree(file.toFile());
        for (Iterator<Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>> it = root.path("rates").fields();
             it.hasNext(); ) {
            Map.Entry<String, com.fasterxml.jackson.databind.JsonNode> e = it.next();
            rates.put(e.getKey(), new AtomicLong(e.getValue().asLong()));
        }
        for (Iterator<Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>> it = root.path("spend").fields();
             it.hasNext(); ) {
            Map.Entry<String, com.fasterxml.jackson.databind.JsonNode> e = it.next();
            spend.put(e.getKey(), new AtomicLong(e.getValue().asLong()));
        }
    }
}
