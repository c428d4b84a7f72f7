package dev.switchboard.benchmarks;

import dev.switchboard.broker.audit.AuditLog;
import dev.switchboard.broker.config.Audit;
import dev.switchboard.broker.metrics.OperatorLog;
import dev.switchboard.broker.session.ResponseHooks;
import dev.switchboard.broker.session.ResponseHooks.ResponseInfo;
import dev.switchboard.broker.session.ResponseHooks.ResponseRecord;
import dev.switchboard.broker.session.ResponseHooks.ResponseRequest;
import dev.switchboard.broker.session.ResponseHooks.SessionInfo;
import dev.switchboard.broker.session.ResponseHooks.Verdict;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the audit log (issue 14) costs.
 *
 * <ul>
 *   <li>{@code callerRequestedAndEnded}: on the shard thread, the audit hooks' {@code onResponseRequested} and
 *       {@code onResponseEnded} of one response (two records built and queued; the inner hooks do nothing), while
 *       the writer thread drains the queue. Per operation: two records.</li>
 *   <li>{@code writerThroughput}: {@value #RECORDS} {@code response ended} records queued, then waited for until
 *       the writer has written them all (serialised, SHA-256 chained, appended, forced as {@code fsync} says):
 *       time per record, whose inverse is the records per second one writer sustains.</li>
 * </ul>
 *
 * <p>Through the public API ({@link AuditLog#open}, {@link AuditLog#hooks}) into a fresh temporary directory per
 * trial. Run:
 *
 * <pre>{@code
 * java -jar benchmarks/target/benchmarks.jar AuditBenchmark -f 1 -wi 2 -i 3 -prof gc
 * }</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class AuditBenchmark {
    static final int RECORDS = 1000;

    @Param({"batch", "every"})
    String fsync;

    private Path dir;
    private AuditLog log;
    private ResponseHooks hooks;
    private Counter written;
    private ScheduledExecutorService logThread;
    private ResponseRequest request;
    private ResponseRecord ended;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("audit-bench");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        logThread = Executors.newSingleThreadScheduledExecutor();
        log = AuditLog.open(new Audit(dir, fsync.equals("every") ? Audit.Fsync.EVERY : Audit.Fsync.BATCH,
                Audit.OnFailure.OPEN), InstantSource.system(), registry,
                new OperatorLog(Duration.ofSeconds(10), System::nanoTime, logThread));
        written = registry.get("broker.audit.records.written").counter();
        hooks = log.hooks(ResponseHooks.NONE, Map::of, tenant -> "");
        SessionInfo session = new SessionInfo("sess_0123456789abcdef", "acme", "acme-key", "sim-chat",
                ResponseHooks.Transport.WEBSOCKET);
        ResponseInfo response = new ResponseInfo(session, "resp_0123456789abcdef");
        request = new ResponseRequest(response, "simulator", "sim-model", 100, OptionalInt.of(256), Instant.now());
        ended = new ResponseRecord(response, "completed", "", 100, 200, 0, 0, 0, "simulator", "sim-model", 0,
                Optional.of(Duration.ofMillis(120)), Duration.ofMillis(900), Instant.now());
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        log.close();
        logThread.shutdownNow();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Benchmark
    public Verdict callerRequestedAndEnded() {
        Verdict verdict = hooks.onResponseRequested(request);
        hooks.onResponseEnded(ended);
        return verdict;
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public double writerThroughput() {
        double target = written.count() + RECORDS;
        for (int i = 0; i < RECORDS; i++) {
            hooks.onResponseEnded(ended);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (written.count() < target && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        return written.count();
    }
}
