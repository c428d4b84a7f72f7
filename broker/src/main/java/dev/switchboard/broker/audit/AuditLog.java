package dev.switchboard.broker.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.admission.AdmissionWatch;
import dev.switchboard.broker.config.Audit;
import dev.switchboard.broker.config.Guardrails;
import dev.switchboard.broker.notice.Notices;
import dev.switchboard.broker.session.ResponseHooks;
import dev.switchboard.broker.metrics.OperatorLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The audit log: takes records from any thread without blocking and writes them, hash-chained, on its one writer
 * thread ({@code switchboard-audit}).
 *
 * <h2>Threading and failure</h2>
 * {@link #record} offers the entry to a bounded queue and returns; a full queue loses the record. The writer thread
 * drains the queue, appends each record ({@link ChainWriter}) and forces the file to disk after each record
 * ({@code fsync: every}) or once the oldest unforced record is {@value #BATCH_FORCE_MS} ms old ({@code batch}).
 * A record that cannot be written (disk error) or queued (full queue) is lost and counted
 * ({@code broker.audit.records.lost}); the log is then <em>unavailable</em> ({@link #available()} false) until a
 * record is written again, which the writer tries every {@value #PROBE_MS} ms while idle, and the first record
 * written after a loss is a {@code records lost} record with their count. With {@code on_failure: closed} the
 * broker refuses new sessions and responses while the log is unavailable.
 */
public final class AuditLog implements AutoCloseable {
    /** The longest a written record waits to be forced with {@code fsync: batch}. */
    static final long BATCH_FORCE_MS = 100;
    /** How often an idle writer retries a directory it could not write. */
    static final long PROBE_MS = 100;
    /** Records waiting to be written at most; more are lost. */
    static final int QUEUE_CAPACITY = 65_536;
    private static final int BATCH = 1024;

    private final BlockingQueue<AuditEntry> queue;
    private final ChainWriter writer;
    private final AuditTail tail;
    private final Audit config;
    private final InstantSource clock;
    private final OperatorLog operatorLog;
    private final Counter written;
    private final Counter failures;
    private final Counter lost;
    private final AtomicLong lostSinceWritten = new AtomicLong();
    private final Thread thread;
    private volatile boolean failing;
    private volatile boolean overflowed;
    private volatile boolean running = true;

    private AuditLog(Audit config, int capacity, InstantSource clock, MeterRegistry registry, OperatorLog log) {
        this.config = config;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.writer = new ChainWriter(config.dir(), config.fsync() == Audit.Fsync.EVERY);
        this.tail = new AuditTail(config.dir());
        this.clock = clock;
        this.operatorLog = log;
        this.written = Counter.builder("broker.audit.records.written").description("Audit records written")
                .register(registry);
        this.failures = Counter.builder("broker.audit.write.failures")
                .description("Audit records that could not be written or queued").register(registry);
        this.lost = Counter.builder("broker.audit.records.lost")
                .description("Audit records lost (write failure or full queue)").register(registry);
        Gauge.builder("broker.audit.available", () -> available() ? 1 : 0)
                .description("1 while audit records can be written, else 0").register(registry);
        this.thread = new Thread(this::run, "switchboard-audit");
        this.thread.setDaemon(true);
    }

    /**
     * Opens the log in {@code config.dir()}, resuming the chain from the last complete record on disk, and starts
     * its writer thread.
     *
     * @throws IOException when the directory cannot be created or read at start: the broker does not start
     */
    public static AuditLog open(Audit config, InstantSource clock, MeterRegistry registry, OperatorLog log)
            throws IOException {
        return open(config, QUEUE_CAPACITY, clock, registry, log);
    }

    /** As {@link #open(Audit, InstantSource, MeterRegistry, OperatorLog)} with another queue bound (tests). */
    static AuditLog open(Audit config, int capacity, InstantSource clock, MeterRegistry registry, OperatorLog log)
            throws IOException {
        AuditLog audit = new AuditLog(config, capacity, clock, registry, log);
        audit.writer.resume();
        audit.thread.start();
        return audit;
    }

    /** The broker's clock, which stamps records. */
    InstantSource clock() {
        return clock;
    }

    /** Whether records are being written: false after a lost record until one is written again. */
    public boolean available() {
        return !failing && !overflowed;
    }

    /** Whether new sessions and responses are refused now ({@code on_failure: closed} and unavailable). */
    public boolean refusing() {
        return config.onFailure() == Audit.OnFailure.CLOSED && !available();
    }

    /** Queues {@code entry}; never blocks. A full queue loses it (counted, and the log is unavailable). */
    void record(AuditEntry entry) {
        if (!queue.offer(entry)) {
            overflowed = true;
            lostRecord("queue full");
        }
    }

    /**
     * The hooks that record every session and response {@code inner} decides about, wrapping it (see
     * {@link ResponseHooks}); they deny new responses while the log {@linkplain #refusing() refuses}.
     *
     * @param prices model aliases' prices now (a reload may change them), for a response's {@code cost_usd}
     * @param policyVersion a tenant id's content policy version, or empty
     */
    public ResponseHooks hooks(ResponseHooks inner, Supplier<Map<String, Guardrails.Price>> prices,
                               Function<String, String> policyVersion) {
        return new AuditHooks(inner, this, prices, policyVersion);
    }

    /** The consumer of notices that records them. */
    public Notices notices() {
        return new AuditNotices(this);
    }

    /** The gatekeeper's watch: records admission refusals, refuses anything new while the log refuses. */
    public AdmissionWatch admissionWatch(Function<String, String> policyVersion) {
        return new AuditAdmission(this, policyVersion);
    }

    /** Records that the configuration with {@code version} was loaded (at start). */
    public void onConfigLoaded(String version) {
        record(AuditEntry.at(clock.instant(), "config loaded").with("config_version", version).build());
    }

    /**
     * Records a live reload that made the configuration with {@code version} current.
     *
     * @param previous the version it replaced
     * @param caller who asked (an admin identity, or {@code signal:HUP})
     */
    public void onConfigReloaded(String version, String previous, String caller) {
        record(AuditEntry.at(clock.instant(), "config reloaded").with("config_version", version)
                .with("previous_version", previous).with("caller", caller).build());
    }

    /**
     * An admin API call that changed something, or was refused the change: what, by whom, on what and how it ended.
     *
     * @param action {@code end_session} or {@code reload_config}
     * @param outcome {@code ended}, {@code reloaded}, {@code rejected}, {@code forbidden}, {@code not_found}, ...
     * @param caller the caller's identity (a token's name or {@code tokens[i]}, or {@code oidc:SUB}); never a secret
     * @param roles the caller's roles ({@code admin}, {@code tenant_admin:acme}, ...)
     * @param tenant the tenant concerned, or empty
     * @param sessionId the session concerned, or empty
     * @param configVersion the configuration version a reload put in force, or empty
     */
    public record AdminAction(String action, String outcome, String caller, String roles, String tenant,
                              String sessionId, String configVersion) {
    }

    /** Records {@code action} (an admin API thread; never blocks). */
    public void onAdminAction(AdminAction action) {
        AuditEntry.Builder entry = AuditEntry.at(clock.instant(), "admin action").decision("", action.outcome())
                .who(action.tenant(), "").session(action.sessionId()).with("action", action.action())
                .with("caller", action.caller()).with("roles", action.roles());
        if (!action.configVersion().isEmpty()) {
            entry.with("config_version", action.configVersion());
        }
        record(entry.build());
    }

    /**
     * The newest records written (read back from the files, never from the writer), newest first, at most
     * {@code limit}, keeping those whose {@code tenant} field {@code tenants} accepts. Reads at most the
     * newest 8 MiB of the files; any thread, may block on the disk (an admin API thread).
     *
     * @throws IOException when the files cannot be read
     */
    public List<JsonNode> newest(int limit, Predicate<String> tenants) throws IOException {
        return tail.newest(limit, tenants);
    }

    private void lostRecord(String why) {
        failures.increment();
        lost.increment();
        lostSinceWritten.incrementAndGet();
        operatorLog.warn("audit:lost", "audit record lost ({}); on_failure: {}; records lost so far: {}", why,
                config.onFailure().name().toLowerCase(java.util.Locale.ROOT), (long) lost.count());
    }

    private void run() {
        List<AuditEntry> batch = new ArrayList<>(BATCH);
        long oldestUnforced = 0;
        while (running || !queue.isEmpty()) {
            try {
                long waitMs = writer.dirty()
                        ? Math.max(0, BATCH_FORCE_MS - (System.nanoTime() - oldestUnforced) / 1_000_000)
                        : PROBE_MS;
                AuditEntry first = queue.poll(waitMs, TimeUnit.MILLISECONDS);
                if (first != null) {
                    if (!writer.dirty()) {
                        // The batch's first record is the oldest unforced one: its 100 ms start now.
                        oldestUnforced = System.nanoTime();
                    }
                    batch.add(first);
                    queue.drainTo(batch, BATCH - 1);
                    writer.checkFile();
                    batch.forEach(this::writeOne);
                    batch.clear();
                    if (queue.isEmpty()) {
                        overflowed = false;
                    }
                } else {
                    // An idle log notices a lost directory too, so a closed broker refuses before it loses a record.
                    writer.checkFile();
                    if (failing || !writer.isOpen()) {
                        probe();
                    }
                }
                if (writer.dirty() && System.nanoTime() - oldestUnforced >= BATCH_FORCE_MS * 1_000_000) {
                    forceQuietly();
                }
            } catch (InterruptedException e) {
                running = false;
            }
        }
        try {
            writer.close();
        } catch (IOException e) {
            operatorLog.warn("audit:close", "audit log could not be forced at shutdown: {}", e.toString());
        }
    }

    private void writeOne(AuditEntry entry) {
        try {
            long missing = lostSinceWritten.get();
            if (missing > 0) {
                writer.write(AuditEntry.at(clock.instant(), "records lost").decision("", "write_failure")
                        .with("count", missing).build());
                lostSinceWritten.addAndGet(-missing);
                written.increment();
            }
            writer.write(entry);
            written.increment();
            recovered();
        } catch (IOException | RuntimeException e) {
            failed(e);
        }
    }

    private void probe() {
        try {
            writer.probe(clock.instant().atOffset(ZoneOffset.UTC).toLocalDate());
            recovered();
        } catch (IOException | RuntimeException e) {
            if (!failing) {
                failing = true;
                failures.increment();
                operatorLog.warn("audit:write", "audit records cannot be written to {}: {}", config.dir(),
                        e.toString());
            }
        }
    }

    private void forceQuietly() {
        try {
            writer.force();
        } catch (IOException e) {
            // The records were written but may not be on the disk: a failure, not (yet) a loss.
            failing = true;
            failures.increment();
            operatorLog.warn("audit:write", "audit records cannot be forced to {}: {}", config.dir(), e.toString());
        }
    }

    private void failed(Exception e) {
        failing = true;
        operatorLog.warn("audit:write", "audit records cannot be written to {}: {}", config.dir(), e.toString());
        lostRecord("write failed");
    }

    private void recovered() {
        if (failing) {
            failing = false;
            operatorLog.info("audit:recovered", "audit records are written to {} again", config.dir());
        }
    }

    /** Writes what is queued, forces it and stops the writer thread (waits at most 5 s). */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
