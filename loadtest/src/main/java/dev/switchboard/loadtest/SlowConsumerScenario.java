package dev.switchboard.loadtest;

import dev.switchboard.loadtest.report.Summary;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chat sessions next to a few that stop reading ({@link SlowPlan}): does the broker keep the normal sessions'
 * latency and its own heap in check, and close the slow ones with 4008 {@code slow_consumer}? The normal
 * sessions run the chat workload and are the only ones whose {@code ttft_ms} and {@code inter_delta_ms} are
 * recorded; with {@code --slow-share 0} the same run is the baseline to compare with.
 *
 * <p>Broker heap comes from {@code /metrics} ({@link BrokerProbe}, no forced GC): one sample before the first
 * connect, then one a second from the moment every session connected to the end of the duration. The samples
 * include garbage, so compare the trace with that of a {@code --slow-share 0} run rather than reading bytes off
 * one sample. All hooks run on the run thread.
 */
final class SlowConsumerScenario implements Scenario {
    private static final Logger LOG = LoggerFactory.getLogger(SlowConsumerScenario.class);
    private static final long SAMPLE_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Settings settings;
    private final SlowPlan plan;
    private final BrokerProbe probe;
    private final List<Summary.BrokerPoint> trace = new ArrayList<>();
    private Optional<BrokerProbe.Sample> first = Optional.empty();
    private Optional<BrokerProbe.Sample> last = Optional.empty();
    private String failure = "";

    SlowConsumerScenario(Settings settings) {
        this.settings = settings;
        this.plan = new SlowPlan(settings);
        this.probe = new BrokerProbe(settings.metricsUri(), OptionalLong.empty());
    }

    @Override
    public String name() {
        return "slow-consumer";
    }

    @Override
    public boolean sendsRequests() {
        return true;
    }

    @Override
    public Optional<SlowPlan> slowPlan() {
        return Optional.of(plan);
    }

    @Override
    public void beforeConnect() throws InterruptedException {
        first = sample();
    }

    @Override
    public void afterConnected(RunContext run, boolean allConnected) throws InterruptedException {
        long now = System.nanoTime();
        // Bounded: one sample a second until the end of the duration, and each sample has its own HTTP timeout.
        while (now - run.endNanos() < 0 && failure.isEmpty()) {
            Optional<BrokerProbe.Sample> sample = sample();
            if (sample.isPresent()) {
                last = sample;
                trace.add(new Summary.BrokerPoint((System.nanoTime() - run.startNanos()) / 1e9,
                        sample.get().heapBytes(), closedSinceStart(sample.get())));
            }
            long wait = Math.min(SAMPLE_EVERY_NANOS, run.endNanos() - System.nanoTime());
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            now = System.nanoTime();
        }
    }

    private Optional<BrokerProbe.Sample> sample() throws InterruptedException {
        try {
            return Optional.of(probe.sample());
        } catch (IOException e) {
            failure = "broker heap sample failed: " + e.getMessage();
            LOG.warn(failure);
            return Optional.empty();
        }
    }

    /** The broker's slow-consumer closes since the first sample, or -1 when the counter is missing. */
    private long closedSinceStart(BrokerProbe.Sample sample) {
        long before = first.map(BrokerProbe.Sample::slowConsumerClosed).orElse(-1L);
        return before < 0 || sample.slowConsumerClosed() < 0 ? -1 : sample.slowConsumerClosed() - before;
    }

    @Override
    public void report(ReportExtras extras) {
        long max = trace.stream().mapToLong(Summary.BrokerPoint::heapBytes).max().orElse(-1);
        long counted = last.map(this::closedSinceStart).orElse(-1L);
        extras.slowConsumer(new Summary.SlowConsumerStats(settings.slow().share(), plan.count(),
                Settings.seconds(settings.slow().slowFor()), plan.paused.sum(), plan.closedSlow.sum(),
                plan.closedAbruptly.sum(), plan.closedOther.sum(), plan.notClosed.sum(), counted,
                first.map(BrokerProbe.Sample::heapBytes).orElse(-1L), max,
                last.map(BrokerProbe.Sample::heapBytes).orElse(-1L), trace, probe.metrics().toString()));
        if (!failure.isEmpty()) {
            extras.warn(failure);
        }
        long byBroker = plan.closedSlow.sum() + plan.closedAbruptly.sum();
        if (counted >= 0 && counted != byBroker) {
            extras.warn(String.format(Locale.ROOT, "the broker counted %,d slow-consumer closes, but %,d slow "
                    + "sessions saw 4008 or a cut connection: another client of this broker was slow too, or a cut "
                    + "had another cause", counted, byBroker));
        }
        long unclosed = plan.paused.sum() - byBroker - plan.closedOther.sum();
        if (unclosed > 0) {
            extras.warn(String.format(Locale.ROOT, "%,d of %,d slow sessions were not closed by the broker: they "
                    + "stopped reading for at most %s, which may be shorter than the time it takes to fill the "
                    + "socket buffers plus the broker's outbound.max_stall (raise --slow-for, --slow-tokens or "
                    + "--slow-tokens-per-second)", unclosed, plan.paused.sum(), settings.slow().slowFor()));
        }
    }
}
