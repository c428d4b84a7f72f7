package dev.switchboard.broker.usage;

import dev.switchboard.broker.admission.AdmissionWatch;
import dev.switchboard.broker.cluster.ClusterLink;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.Guardrails;
import dev.switchboard.broker.notice.Notice;
import dev.switchboard.broker.notice.Notices;
import dev.switchboard.broker.session.ResponseHooks;
import dev.switchboard.broker.session.ResponseHooks.ResponseRecord;
import dev.switchboard.broker.session.ResponseHooks.SessionInfo;
import java.io.IOException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The usage ledger: per tenant, UTC day, model alias and key id, the responses that ran (whatever their status),
 * their input, output, cached and audio tokens as the provider reported them, their cost at {@code prices}, and the
 * requests refused before they ran. {@link #report()} answers queries over it.
 *
 * <p>It is fed through the broker's seams, which it decorates so that it sees their final decisions:
 * {@link #hooks} (responses requested, ended, and the provider's count of relayed responses the broker cut),
 * {@link #watching} (admission refusals of a known key) and {@link #notices()} (input refused by a content policy).
 * Those calls run on shard and Jetty threads and never block: each adds to the atomic counters of one row.
 *
 * <p>With {@code usage.dir} set the ledger is loaded from there at {@link #open} (a file it cannot read stops the
 * start) and written back by its own thread every {@code usage.flush_interval} and at {@link #close()}; without it
 * the ledger lives in memory and a restart forgets it. Days older than {@code usage.retention_days} are dropped.
 * In a cluster ({@link #share}) each node also adds its counts to Redis, and the report shows the cluster's sums.
 */
public final class UsageLedger implements AutoCloseable {
    private final ConcurrentHashMap<Bucket, Counters> rows = new ConcurrentHashMap<>();
    /** Open sessions by id: what a policy refusal, which names only the session, is counted under. */
    private final ConcurrentHashMap<String, SessionInfo> sessions = new ConcurrentHashMap<>();
    /** Replaced by {@link #reconfigure}. */
    private volatile Map<String, Guardrails.Price> prices;
    /** Every tenant configured since start (a reload adds; a removed tenant's history stays reportable). */
    private volatile Set<String> tenants;
    private final InstantSource clock;
    private final int retentionDays;
    private final LedgerWriter writer;
    /** Set once by {@link #share}, before anything is counted. */
    private volatile Optional<ClusterLedger> cluster = Optional.empty();

    private UsageLedger(BrokerConfig config, InstantSource clock, Optional<LedgerFiles> files) {
        this.prices = Map.copyOf(config.prices());
        this.tenants = Set.copyOf(config.tenants().keySet());
        this.clock = clock;
        this.retentionDays = config.usage().retentionDays();
        this.writer = new LedgerWriter(this, files, config.usage().flushInterval());
    }

    /**
     * Opens the ledger of {@code config}: loads {@code usage.dir}'s ledger files when it is set, then starts the
     * ledger's writer thread. Call it before anything else starts, so that a bad file stops the broker cleanly.
     *
     * @throws IOException a ledger file that cannot be read (it is named, and left as it is)
     */
    public static UsageLedger open(BrokerConfig config, InstantSource clock) throws IOException {
        Optional<LedgerFiles> files = config.usage().dir().map(LedgerFiles::new);
        UsageLedger ledger = new UsageLedger(config, clock, files);
        if (files.isPresent()) {
            files.get().load(ledger.firstDay()).forEach((bucket, tally) ->
                    ledger.rows.computeIfAbsent(bucket, b -> new Counters()).load(tally));
        }
        ledger.writer.start();
        return ledger;
    }

    /**
     * {@code inner} decorated so that the ledger counts what it decides and what ended; pass the outermost hooks, so
     * that their final verdict is the one counted. The decorator reads no content ({@link
     * ResponseHooks#readsContent()} is {@code inner}'s).
     */
    public ResponseHooks hooks(ResponseHooks inner) {
        return new UsageHooks(inner, this);
    }

    /** {@code inner} decorated so that the ledger counts admission refusals of a known key. */
    public AdmissionWatch watching(AdmissionWatch inner) {
        return new UsageWatch(inner, this, clock);
    }

    /** The notices consumer that counts input refused by a content policy; add it to the broker's notices. */
    public Notices notices() {
        return notice -> {
            if (notice instanceof Notice.PolicyMatched match && match.direction().equals("input")
                    && match.action().equals("block")) {
                SessionInfo session = sessions.get(match.sessionId());
                if (session != null) {
                    refused(session.tenantId(), session.keyId(), session.model(), match.at());
                }
            }
        };
    }

    /**
     * Applies a reloaded configuration: responses that end from now on are priced at its {@code prices}, and its
     * tenants are known to the report (tenants removed by the reload stay, with their history). Any thread.
     */
    public synchronized void reconfigure(BrokerConfig config) {
        prices = Map.copyOf(config.prices());
        Set<String> known = new java.util.HashSet<>(tenants);
        known.addAll(config.tenants().keySet());
        tenants = Set.copyOf(known);
    }

    /**
     * Shares this ledger with the cluster behind {@code link}: from now on the ledger's thread adds this node's
     * counts to Redis every {@code usage.flush_interval}, and {@link #report()} reads the whole cluster's figures
     * (docs/usage.md, "In a cluster"). Call once, at start-up, before anything is counted.
     */
    public void share(ClusterLink link) {
        ClusterLedger shared = new ClusterLedger(this, link, retentionDays);
        cluster = Optional.of(shared);
        writer.alsoEveryInterval(shared::flush);
    }

    /** The report query over this ledger (in a cluster, over the cluster's). */
    public UsageReport report() {
        return new UsageReport(this, cluster, clock, retentionDays);
    }

    // ---- counting (shard and Jetty threads; never blocks) ----

    void opened(SessionInfo session) {
        sessions.put(session.sessionId(), session);
    }

    void closed(SessionInfo session) {
        sessions.remove(session.sessionId());
    }

    /**
     * Counts {@code record}'s tokens and cost under its session's row for the day it ended, and one request when
     * {@code request} (a provider's count reported after a cut adds tokens to a response already counted).
     */
    void count(ResponseRecord record, boolean request) {
        SessionInfo session = record.response().session();
        Counters counters = counters(session.tenantId(), Bucket.dayOf(record.endedAt().getEpochSecond()),
                session.model(), session.keyId());
        if (request) {
            counters.add(Counters.REQUESTS, 1);
        }
        counters.add(Counters.INPUT, record.inputTokens());
        counters.add(Counters.OUTPUT, record.outputTokens());
        counters.add(Counters.CACHED, record.cachedTokens());
        counters.add(Counters.AUDIO_INPUT, record.audioInputTokens());
        counters.add(Counters.AUDIO_OUTPUT, record.audioOutputTokens());
        Guardrails.Price price = prices.get(session.model());
        if (price != null) {
            counters.add(Counters.COST_NANO_USD, Math.round(price.microUsd(record.inputTokens(),
                    record.cachedTokens(), record.audioInputTokens(), record.outputTokens(),
                    record.audioOutputTokens()) * 1000));
        }
        counters.changed();
    }

    /** Counts one request refused before it ran. */
    void refused(String tenant, String keyId, String model, Instant at) {
        Counters counters = counters(tenant, Bucket.dayOf(at.getEpochSecond()), model, keyId);
        counters.add(Counters.REFUSALS, 1);
        counters.changed();
    }

    private Counters counters(String tenant, int day, String model, String keyId) {
        Bucket bucket = new Bucket(tenant, day, model, keyId);
        Counters counters = rows.get(bucket);
        // A row is created once per day and key; get first, so the common case takes no lock.
        return counters != null ? counters : rows.computeIfAbsent(bucket, b -> new Counters());
    }

    // ---- reading (any thread) ----

    /** Whether {@code tenant} is configured or has rows. */
    boolean knows(String tenant) {
        return tenants.contains(tenant) || rows.keySet().stream().anyMatch(b -> b.tenant().equals(tenant));
    }

    /** {@code tenant}'s rows of days {@code fromDay} to {@code toDay} (inclusive), as they are now. */
    Map<Bucket, Tally> rows(String tenant, int fromDay, int toDay) {
        Map<Bucket, Tally> found = new HashMap<>();
        rows.forEach((bucket, counters) -> {
            if (bucket.tenant().equals(tenant) && bucket.day() >= fromDay && bucket.day() <= toDay) {
                found.put(bucket, counters.snapshot());
            }
        });
        return found;
    }

    /** Today, UTC, as days since 1970-01-01, by the broker's clock. */
    int today() {
        return Bucket.dayOf(clock.instant().getEpochSecond());
    }

    /** The first day kept: today and the {@code usage.retention_days - 1} days before it. */
    int firstDay() {
        return today() - retentionDays + 1;
    }

    /** The live rows, for the writer thread. */
    ConcurrentHashMap<Bucket, Counters> liveRows() {
        return rows;
    }

    /**
     * Stops the writer thread and, with {@code usage.dir}, writes what changed since its last flush; in a cluster,
     * sends the last counts to Redis (waiting for it a few seconds at most). Before the cluster link closes.
     */
    @Override
    public void close() {
        writer.close();
        cluster.ifPresent(ClusterLedger::flush);
    }
}
