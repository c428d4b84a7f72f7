package dev.switchboard.benchmarks;

import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigException;
import dev.switchboard.broker.config.ConfigLoader;
import dev.switchboard.broker.guardrail.LocalUsageStore;
import dev.switchboard.broker.guardrail.TenantGuardrails;
import dev.switchboard.broker.session.ResponseHooks;
import dev.switchboard.broker.session.ResponseHooks.DeltaKind;
import dev.switchboard.broker.session.ResponseHooks.DeltaVerdict;
import dev.switchboard.broker.session.ResponseHooks.ResponseInfo;
import dev.switchboard.broker.session.ResponseHooks.ResponseRecord;
import dev.switchboard.broker.session.ResponseHooks.ResponseRequest;
import dev.switchboard.broker.session.ResponseHooks.SessionInfo;
import dev.switchboard.broker.session.ResponseHooks.Verdict;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What tenant guardrails ({@link TenantGuardrails}, issue 13) cost on the shard thread, against the goals:
 * admission at most 20 µs, per-delta metering at most 1 µs.
 *
 * <ul>
 *   <li>{@code admitAndEnd}: {@code onResponseRequested} (two budgets checked, a {@code concurrent_responses} slot
 *       taken, {@code requests_per_minute} and {@code tokens_per_minute} taken for 100 estimated input tokens, the
 *       input charged to the budgets, the output cap clamped) followed by {@code onResponseEnded} with a completed
 *       response's usage (reconciled against the budgets, the slot freed): the guardrail work of one response
 *       apart from its deltas. The limits are set so high that they are never hit.</li>
 *   <li>{@code admitRefused}: {@code onResponseRequested} for a tenant whose {@code requests_per_minute} (1) is
 *       spent: the refusal path, with its message and retry time, that a tenant driven into its limits pays.</li>
 *   <li>{@code formatRetrySeconds}: a control for the refusal: the {@code String.format} of its retry time.</li>
 *   <li>{@code meterTextDelta}: {@code onOutputDelta} for one text delta ({@code " shipped"}, 2 tokens) of a
 *       response in flight: charged to the token rate and both budgets.</li>
 *   <li>{@code meterAudioDelta}: the same for 100 ms of PCM16 24 kHz audio (4,800 bytes, 5 tokens).</li>
 * </ul>
 *
 * <p>Built through the public factory {@link TenantGuardrails#of} from YAML parsed by {@link ConfigLoader}, with the
 * real {@link LocalUsageStore} and the system clock (so rates refill as they would in production and the budget
 * periods are today's). Single-threaded: one session on one shard, as the hooks' contract has it. Run with
 * allocation profiling:
 *
 * <pre>{@code
 * java -jar benchmarks/target/benchmarks.jar GuardrailBenchmark -f 1 -wi 3 -i 5 -prof gc
 * }</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class GuardrailBenchmark {
    /**
     * One tenant with every per-response limit and two budgets, none of which a benchmark run reaches; one tenant
     * whose request rate is spent after its first response.
     */
    static final String YAML = """
            simulator: {enabled: true}
            prices:
              sim-chat: {input: 0.15, output: 0.60}
            tenants:
              busy:
                keys: [k-busy]
                models: ["*"]
                limits:
                  requests_per_minute: 1000000000
                  tokens_per_minute: 6000000000
                  concurrent_responses: 1000
                  max_output_tokens: 4096
                budgets:
                  - {period: month, tokens: 1000000000000000}
                  - {period: day, cost_usd: 999999999}
              spent:
                keys: [k-spent]
                models: ["*"]
                limits: {requests_per_minute: 1, concurrent_responses: 1000}
            """;
    /** Estimated input tokens of every request. */
    static final long INPUT_TOKENS = 100;
    /** 100 ms of PCM16 mono 24 kHz. */
    static final int AUDIO_BYTES = 4_800;

    private TenantGuardrails guardrails;
    private ResponseRequest busyRequest;
    private ResponseRecord busyEnded;
    private ResponseRequest spentRequest;
    private ResponseInfo streaming;
    private long retryMillis = 41_234;

    /** Builds the guardrails, spends the second tenant's rate and starts the response the delta cases meter. */
    @Setup(Level.Trial)
    public void setUp() throws ConfigException {
        BrokerConfig config = new ConfigLoader(name -> null).parse(YAML);
        guardrails = TenantGuardrails.of(config, new LocalUsageStore(), InstantSource.system(),
                new SimpleMeterRegistry()).orElseThrow();
        busyRequest = request(session("s-admit", "busy", "k-busy"));
        busyEnded = completed(busyRequest.response());
        spentRequest = request(session("s-refused", "spent", "k-spent"));
        require(guardrails.onResponseRequested(spentRequest) instanceof Verdict.Allow, "first spent request");
        require(guardrails.onResponseRequested(spentRequest) instanceof Verdict.Deny, "second spent request");
        ResponseRequest stream = request(session("s-stream", "busy", "k-busy"));
        require(!(guardrails.onResponseRequested(stream) instanceof Verdict.Deny), "streaming response");
        streaming = stream.response();
    }

    private static SessionInfo session(String id, String tenant, String key) {
        return new SessionInfo(id, tenant, key, "sim-chat", ResponseHooks.Transport.WEBSOCKET);
    }

    private static ResponseRequest request(SessionInfo session) {
        return new ResponseRequest(new ResponseInfo(session, "resp_" + session.sessionId()), "simulator", "sim-chat",
                INPUT_TOKENS, OptionalInt.empty(), Instant.now());
    }

    private static ResponseRecord completed(ResponseInfo response) {
        return new ResponseRecord(response, "completed", "", INPUT_TOKENS, 50, 0, 0, 0, "simulator", "sim-chat", 0,
                Optional.of(Duration.ofMillis(150)), Duration.ofMillis(1400), Instant.now());
    }

    private static void require(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException("unexpected guardrail verdict for the " + what);
        }
    }

    /** Admission and end of one response that fits every limit. */
    @Benchmark
    public Verdict admitAndEnd() {
        Verdict verdict = guardrails.onResponseRequested(busyRequest);
        guardrails.onResponseEnded(busyEnded);
        return verdict;
    }

    /** Admission refused by a spent {@code requests_per_minute}. */
    @Benchmark
    public Verdict admitRefused() {
        return guardrails.onResponseRequested(spentRequest);
    }

    /**
     * Control for {@code admitRefused}: the one {@code String.format(Locale.ROOT, "%.3fs", seconds)} a rate
     * refusal's message makes for its retry time.
     */
    @Benchmark
    public String formatRetrySeconds() {
        return String.format(Locale.ROOT, "%.3fs", retryMillis / 1000.0);
    }

    /** One text delta metered. */
    @Benchmark
    public DeltaVerdict meterTextDelta() {
        return guardrails.onOutputDelta(streaming, DeltaKind.TEXT, " shipped", 0);
    }

    /** One 100 ms audio delta metered. */
    @Benchmark
    public DeltaVerdict meterAudioDelta() {
        return guardrails.onOutputDelta(streaming, DeltaKind.AUDIO, "", AUDIO_BYTES);
    }
}
