package dev.switchboard.broker.usage;

import dev.switchboard.broker.cluster.ClusterLink;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The usage ledger shared by a cluster: every node adds its own counts to Redis, and the report reads the sums.
 *
 * <p>Design: the counting on shard and Jetty threads is untouched — it only adds to the node's own atomic counters.
 * This class, on the ledger's own thread every {@code usage.flush_interval}, sends each row's growth since the last
 * flush that Redis confirmed: one hash per tenant and UTC day, {@code sb:usage:<tenant>:<YYYY-MM-DD>}, fields
 * {@code <model>|<key>|<measure>} ({@code %} and {@code |} in a model or key written {@code %25}, {@code %7C}),
 * incremented by one Lua script per hash ({@code HINCRBY} each field, then {@code PEXPIREAT} at the end of the day's
 * retention), so a hash is added to wholly or not at all. {@link #shared} — what Redis confirmed, per row — is
 * touched only by that thread (and by {@link #flush} at close, after it stopped). A failed script leaves its rows'
 * growth to the next flush; a reply lost after the script ran (a timeout) counts that growth twice. Counts loaded
 * from {@code usage.dir} at start were shared by the run that counted them and are not sent again.
 *
 * <p>{@link #rows} reads the sums for the report: one {@code HGETALL} per day, pipelined, waited for at most
 * {@value #READ_WAIT_MS} ms on the caller's thread (the admin API's; never a shard's).
 */
final class ClusterLedger {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterLedger.class);
    private static final long MILLIS_PER_DAY = 86_400_000L;
    private static final long FLUSH_WAIT_MS = 3_000;
    private static final long READ_WAIT_MS = 3_000;
    private static final String ADD = """
            for i = 1, #ARGV - 2, 2 do
              redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
            end
            redis.call('PEXPIREAT', KEYS[1], ARGV[#ARGV])
            return 1
            """;
    private static final String[] MEASURES = {"requests", "input_tokens", "output_tokens", "cached_tokens",
        "audio_input_tokens", "audio_output_tokens", "cost_nano_usd", "refusals"};

    private final UsageLedger ledger;
    private final ClusterLink link;
    private final int retentionDays;
    /** Per row, the counts Redis has confirmed. Ledger thread only. */
    private final Map<Bucket, Tally> shared = new HashMap<>();
    private @Nullable String failure;

    /** Starts sharing from the ledger's counts now: those (loaded from files) are not sent. */
    ClusterLedger(UsageLedger ledger, ClusterLink link, int retentionDays) {
        this.ledger = ledger;
        this.link = link;
        this.retentionDays = retentionDays;
        ledger.liveRows().forEach((bucket, counters) -> shared.put(bucket, counters.snapshot()));
    }

    /** Sends each row's growth since the last confirmed flush; waits for Redis at most a few seconds. */
    synchronized void flush() {
        int first = ledger.firstDay();
        shared.keySet().removeIf(bucket -> bucket.day() < first);
        Map<String, Map<Bucket, Tally>> byHash = new HashMap<>();
        ledger.liveRows().forEach((bucket, counters) -> {
            Tally now = counters.snapshot();
            if (bucket.day() >= first && !now.equals(shared.getOrDefault(bucket, Tally.ZERO))) {
                byHash.computeIfAbsent(hashKey(bucket.tenant(), bucket.day()), k -> new HashMap<>()).put(bucket, now);
            }
        });
        if (byHash.isEmpty()) {
            return;
        }
        Map<String, CompletableFuture<Long>> sent = new HashMap<>();
        byHash.forEach((key, rows) -> sent.put(key, send(key, rows)));
        String failed = null;
        for (Map.Entry<String, CompletableFuture<Long>> s : sent.entrySet()) {
            try {
                s.getValue().get(FLUSH_WAIT_MS, TimeUnit.MILLISECONDS);
                shared.putAll(byHash.get(s.getKey()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                failed = e.getClass().getSimpleName();
            }
        }
        report(failed);
    }

    private CompletableFuture<Long> send(String key, Map<Bucket, Tally> rows) {
        List<String> args = new ArrayList<>();
        int day = -1;
        for (Map.Entry<Bucket, Tally> row : rows.entrySet()) {
            Bucket bucket = row.getKey();
            day = bucket.day();
            long[] now = values(row.getValue());
            long[] before = values(shared.getOrDefault(bucket, Tally.ZERO));
            for (int m = 0; m < MEASURES.length; m++) {
                if (now[m] != before[m]) {
                    args.add(field(bucket.model(), bucket.key(), MEASURES[m]));
                    args.add(Long.toString(now[m] - before[m]));
                }
            }
        }
        // Kept as long as this node keeps the day: until the start of day + usage.retention_days.
        args.add(Long.toString((day + (long) retentionDays) * MILLIS_PER_DAY));
        try {
            RedisAsyncCommands<String, String> redis = link.redis();
            return redis.<Long>eval(ADD, ScriptOutputType.INTEGER, new String[] {key}, args.toArray(String[]::new))
                    .toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void report(@Nullable String failed) {
        if (failed != null && !failed.equals(failure)) {
            LOG.warn("usage figures cannot be added to Redis ({}); this node keeps counting and sends them when Redis "
                    + "answers again", failed);
        } else if (failed == null && failure != null) {
            LOG.info("usage figures are added to Redis again");
        }
        failure = failed;
    }

    /**
     * The cluster's rows of {@code tenant} from {@code fromDay} to {@code toDay} (inclusive), as Redis has them (each
     * node's counts up to its last flush); empty when Redis did not answer in time.
     */
    Optional<Map<Bucket, Tally>> rows(String tenant, int fromDay, int toDay) {
        Map<Integer, CompletableFuture<Map<String, String>>> days = new HashMap<>();
        try {
            RedisAsyncCommands<String, String> redis = link.redis();
            for (int day = fromDay; day <= toDay; day++) {
                days.put(day, redis.hgetall(hashKey(tenant, day)).toCompletableFuture());
            }
            CompletableFuture.allOf(days.values().toArray(CompletableFuture[]::new))
                    .get(READ_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            return Optional.empty();
        }
        Map<Bucket, long[]> counts = new HashMap<>();
        days.forEach((day, hash) -> hash.join().forEach((field, value) -> add(counts, tenant, day, field, value)));
        Map<Bucket, Tally> rows = new HashMap<>();
        counts.forEach((bucket, v) -> rows.put(bucket, new Tally(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7])));
        return Optional.of(rows);
    }

    private static void add(Map<Bucket, long[]> counts, String tenant, int day, String field, String value) {
        String[] parts = field.split("\\|", -1);
        if (parts.length != 3) {
            return;  // not ours
        }
        int measure = List.of(MEASURES).indexOf(parts[2]);
        if (measure < 0) {
            return;  // a measure of a later version: ignored
        }
        long amount;
        try {
            amount = Long.parseLong(value);
        } catch (NumberFormatException e) {
            return;
        }
        counts.computeIfAbsent(new Bucket(tenant, day, unescape(parts[0]), unescape(parts[1])),
                b -> new long[MEASURES.length])[measure] += amount;
    }

    static String hashKey(String tenant, int day) {
        return ClusterLink.PREFIX + "usage:" + tenant + ":" + LocalDate.ofEpochDay(day);
    }

    static String field(String model, String key, String measure) {
        return escape(model) + "|" + escape(key) + "|" + measure;
    }

    private static String escape(String part) {
        return part.replace("%", "%25").replace("|", "%7C");
    }

    private static String unescape(String part) {
        return part.replace("%7C", "|").replace("%25", "%");
    }

    private static long[] values(Tally t) {
        return new long[] {t.requests(), t.inputTokens(), t.outputTokens(), t.cachedTokens(), t.audioInputTokens(),
            t.audioOutputTokens(), t.costNanoUsd(), t.refusals()};
    }
}
