package dev.switchboard.loadtest;

import dev.switchboard.loadtest.report.Summary;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the sessions connected without sending anything and measures what each costs the broker's heap: one
 * {@code /metrics} sample before the first connect, one after every session connected and {@code --settle}
 * passed, each preceded by {@code jcmd PID GC.run} when {@code --broker-pid} is given. Bytes per session is the
 * heap difference divided by the sessions connected. Without a forced GC both samples include garbage, so the
 * figure is rough and can even be negative. All methods run on the run thread.
 */
final class IdleScenario implements Scenario {
    private static final Logger LOG = LoggerFactory.getLogger(IdleScenario.class);

    private final BrokerProbe probe;
    private final long settleNanos;
    private final boolean pidGiven;
    private Optional<BrokerProbe.Sample> before = Optional.empty();
    private Optional<BrokerProbe.Sample> after = Optional.empty();
    private boolean settled;
    private long sessionsMeasured;
    private String failure = "";

    IdleScenario(Settings settings) {
        this.probe = new BrokerProbe(settings.metricsUri(), settings.brokerPid());
        this.settleNanos = settings.settle().toNanos();
        this.pidGiven = settings.brokerPid().isPresent();
    }

    @Override
    public String name() {
        return "idle";
    }

    @Override
    public boolean sendsRequests() {
        return false;
    }

    @Override
    public void beforeConnect() throws InterruptedException {
        before = sample("before connecting");
    }

    @Override
    public void afterConnected(RunContext run, boolean allConnected) throws InterruptedException {
        long wait = Math.min(settleNanos, run.endNanos() - System.nanoTime());
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
        settled = allConnected && wait >= settleNanos;
        sessionsMeasured = run.measurements().sessionsOpen.get();
        after = sample("after connecting");
    }

    private Optional<BrokerProbe.Sample> sample(String when) throws InterruptedException {
        try {
            BrokerProbe.Sample sample = probe.sample();
            LOG.info("broker heap {}: {} bytes, {} sessions active{}", when, sample.heapBytes(),
                    sample.sessionsActive(), sample.gcForced() ? " (after GC.run)" : "");
            return Optional.of(sample);
        } catch (IOException e) {
            failure = "memory sample " + when + " failed: " + e.getMessage();
            LOG.warn(failure);
            return Optional.empty();
        }
    }

    @Override
    public void report(ReportExtras extras) {
        if (!failure.isEmpty()) {
            extras.warn(failure);
        }
        if (before.isEmpty() || after.isEmpty()) {
            return;
        }
        BrokerProbe.Sample b = before.get();
        BrokerProbe.Sample a = after.get();
        double perSession = sessionsMeasured == 0 ? 0 : (double) (a.heapBytes() - b.heapBytes()) / sessionsMeasured;
        boolean gcForced = b.gcForced() && a.gcForced();
        extras.memory(new Summary.MemorySample(b.heapBytes(), a.heapBytes(), b.sessionsActive(), a.sessionsActive(),
                sessionsMeasured, perSession, gcForced, settled, probe.metrics().toString()));
        if (!gcForced) {
            extras.warn(pidGiven ? "jcmd PID GC.run failed, so memory per session includes garbage (is jcmd on the "
                    + "PATH and the broker a JVM of this user on this machine?)"
                    : "memory per session was measured without a forced GC (give --broker-pid PID of a broker on "
                    + "this machine); the figure includes garbage");
        }
        if (!settled) {
            extras.warn("the memory sample was taken before every session connected and --settle passed; "
                    + "lengthen --duration or --ramp");
        }
    }
}
