package dev.switchboard.loadtest;

import dev.switchboard.loadtest.report.Summary;
import dev.switchboard.protocol.codec.EventCodec;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * One run from preflight to summary, on the calling thread: preflight, scenario set-up, ramped connects,
 * the request schedule, the end of the duration, the bounded grace period, closing, and the summary. The
 * run is bounded: {@code --duration} plus {@code --grace} plus a few seconds for closing.
 */
final class LoadRun {
    /** How long closing handshakes and the scheduler get after the grace period. */
    private static final long CLOSE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** Open-workload arrivals draw from their own stream so they do not shift with the session count. */
    private static final long ARRIVAL_SEED_SALT = 0x5DEECE66DL;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LoadRun.class);

    private final Settings settings;
    private final PrintStream out;

    LoadRun(Settings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    Summary execute() throws Exception {
        Scenario scenario = Scenarios.create(settings);
        EventCodec codec = EventCodec.create();
        ReportExtras extras = new ReportExtras();
        checkFileDescriptors(extras);
        ProcCpu.applyPins(settings, out);
        WebSocketClient client = Transport.start(settings);
        ScheduledThreadPoolExecutor scheduler = newScheduler();
        try {
            boolean probe = scenario.sendsRequests() && settings.simMetadata()
                    && settings.stamp() == Settings.StampMode.AUTO && scenario.whyNoStamps().isEmpty();
            Preflight.Result preflight = Preflight.run(client, settings, codec, probe);
            boolean stamps = stamps(scenario, preflight);
            String stampNote = scenario.whyNoStamps().orElse(settings.stamp() == Settings.StampMode.AUTO
                    ? preflight.note() : "--stamp " + settings.stamp().name().toLowerCase(Locale.ROOT));
            scenario.beforeConnect();
            printHeader(scenario, stamps, stampNote);
            RunContext run = new RunContext(settings, scenario, client, scheduler,
                    ClientFrames.of(codec, settings, stamps), stamps, System.nanoTime());
            return drive(run, extras, stampNote);
        } finally {
            scheduler.shutdownNow();
            Transport.stop(client);
        }
    }

    private Summary drive(RunContext run, ReportExtras extras, String stampNote) throws InterruptedException {
        Measurements m = run.measurements();
        java.util.Optional<ProcCpu> cpu = ProcCpu.started(settings);
        VirtualClient[] clients = new VirtualClient[settings.sessions()];
        SplittableRandom seeds = new SplittableRandom(settings.seed());
        for (int i = 0; i < clients.length; i++) {
            clients[i] = new VirtualClient(run, seeds.split(), i);
        }
        Harvester harvester = new Harvester(run, out);
        ScheduledExecutorService scheduler = run.scheduler();
        scheduler.scheduleAtFixedRate(() -> harvestSafely(harvester), 1, 1, TimeUnit.SECONDS);
        scheduleConnects(run, clients);
        // Slow sessions send their one request on their own; the schedule is dealt to the others.
        VirtualClient[] scheduled = Arrays.stream(clients).filter(c -> !c.slow()).toArray(VirtualClient[]::new);
        if (settings.open() && run.scenario().sendsRequests() && scheduled.length > 0) {
            long first = run.startNanos() + settings.ramp().toNanos();
            new OpenDispatcher(run, scheduled, new RequestSchedule(first, settings.rate().orElseThrow(),
                    settings.arrival(), settings.seed() ^ ARRIVAL_SEED_SALT)).start();
        }

        boolean allConnected = run.awaitConnects(run.endNanos());
        run.scenario().afterConnected(run, allConnected);
        sleepUntil(run.endNanos());
        run.stop();
        long eventsInWindow = m.events.sum();
        for (VirtualClient c : clients) {
            c.dropPending();
        }
        if (!run.inFlight().awaitZero(run.endNanos() + settings.grace().toNanos())) {
            out.printf(Locale.ROOT, "grace period over with %d responses unfinished%n", run.inFlight().get());
        }
        closeAll(clients);
        scheduler.shutdown();
        if (!scheduler.awaitTermination(CLOSE_TIMEOUT_NANOS, TimeUnit.NANOSECONDS)) {
            scheduler.shutdownNow();
        }
        // The scheduler has terminated, so the harvester's state is now safely ours.
        harvester.harvest(false);
        double elapsedS = (System.nanoTime() - run.startNanos()) / 1e9;
        run.scenario().report(extras);
        java.util.Optional<Summary.BrokerCpu> brokerCpu = cpu.flatMap(c -> c.finish(m.events.sum()));
        return summarize(run, harvester, extras, eventsInWindow, elapsedS, stampNote).withBrokerCpu(brokerCpu)
                .withCluster(extras.cluster());
    }

    /** A periodic task that throws is silently cancelled; keep the progress line alive and say what broke. */
    private static void harvestSafely(Harvester harvester) {
        try {
            harvester.harvest(true);
        } catch (RuntimeException e) {
            LOG.warn("progress harvest failed", e);
        }
    }

    private void scheduleConnects(RunContext run, VirtualClient[] clients) {
        long rampNanos = settings.ramp().toNanos();
        for (int i = 0; i < clients.length; i++) {
            long at = run.startNanos() + (long) ((double) rampNanos * i / clients.length);
            VirtualClient c = clients[i];
            run.scheduler().schedule(() -> c.connect(at), Math.max(0, at - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    private static void closeAll(VirtualClient[] clients) throws InterruptedException {
        boolean[] closing = new boolean[clients.length];
        for (int i = 0; i < clients.length; i++) {
            closing[i] = clients[i].close();
        }
        long deadline = System.nanoTime() + CLOSE_TIMEOUT_NANOS;
        for (int i = 0; i < clients.length; i++) {
            if (closing[i] && !clients[i].awaitClosed(deadline)) {
                return; // out of time; stopping the client tears down what is left
            }
        }
    }

    private Summary summarize(RunContext run, Harvester harvester, ReportExtras extras, long eventsInWindow,
                              double elapsedS, String stampNote) {
        Measurements m = run.measurements();
        warnings(m, extras);
        if (run.scenario().expectsRefusals() && refusals(m).refused() + refusals(m).cutByBudget() == 0) {
            extras.warn("no response.create was refused and no response was cut by a budget: the tenant behind "
                    + "--key has no limit this load reaches (give it a small requests_per_minute or budget, or "
                    + "raise --rate)");
        }
        Map<String, Long> responses = ordered("completed", m.completed.sum(), "cancelled", m.cancelled.sum(),
                "failed", m.failed.sum(), "incomplete", m.incomplete.sum());
        Map<String, Long> requests = ordered("scheduled", m.requestsScheduled.sum(), "sent", m.requestsSent.sum(),
                "late", m.requestsLate.sum(), "unsent", m.requestsUnsent.sum());
        Map<String, Long> cancels = ordered("sent", m.cancelsSent.sum(), "acknowledged",
                m.cancelsAcknowledged.sum(), "raced", m.cancelsRaced.sum());
        Map<String, Long> seq = ordered("gaps", m.seqGaps.sum(), "missing", m.seqMissing.sum(), "duplicates",
                m.seqDuplicates.sum());
        Map<String, Long> errors = new TreeMap<>(m.errorsByCode());
        extras.errors().forEach((code, count) -> errors.merge(code, count, Long::sum));
        Map<String, String> samples = new TreeMap<>(m.errorSamples());
        extras.errorSamples().forEach(samples::putIfAbsent);
        long errorCount = errors.values().stream().mapToLong(Long::longValue).sum();
        boolean failed = errorCount > 0 || m.seqGaps.sum() > 0 || m.seqDuplicates.sum() > 0
                || m.sessionsConnected.get() == 0;
        double durationS = Settings.seconds(settings.duration());
        return new Summary(settings.scenario(), settings.sessions(), durationS, elapsedS, settings.describe(),
                settings.commandLine(), m.sessionsConnected.get(), responses, requests, cancels, refusals(m), errors,
                samples, seq, m.events.sum(), eventsInWindow / durationS, harvester.latencies(),
                new Summary.StampInfo(settings.stamp().name().toLowerCase(Locale.ROOT), run.stampsRequested(),
                        m.stampedDeltas.sum(), m.negativeStamps.sum(), stampNote),
                extras.memory(), extras.resume(), extras.slowConsumer(), harvester.timeline(), extras.warnings(),
                failed ? LoadTest.EXIT_FAILED : LoadTest.EXIT_OK);
    }

    private static Summary.Refusals refusals(Measurements m) {
        return new Summary.Refusals(m.refusedRateLimit.sum(), m.refusedQuota.sum(), m.cutByBudget.sum(),
                m.rateLimitsUpdated.sum());
    }

    private void warnings(Measurements m, ReportExtras extras) {
        if (m.sessionsConnected.get() < settings.sessions()) {
            extras.warn(String.format(Locale.ROOT, "only %d of %d sessions connected", m.sessionsConnected.get(),
                    settings.sessions()));
        }
        if (m.requestsLate.sum() > 0) {
            extras.warn(String.format(Locale.ROOT, "%,d requests found their session busy and went out late; their "
                    + "latency counts from the intended send time", m.requestsLate.sum()));
        }
        if (m.requestsUnsent.sum() > 0) {
            extras.warn(String.format(Locale.ROOT, "%,d requests were due but never sent (session busy or closed "
                    + "until the end): the offered load was not met", m.requestsUnsent.sum()));
        }
        if (m.negativeStamps.sum() > 0) {
            extras.warn(String.format(Locale.ROOT, "%,d stamped deltas arrived before their stamp (clock step?) and "
                    + "were recorded as 0", m.negativeStamps.sum()));
        }
    }

    private boolean stamps(Scenario scenario, Preflight.Result preflight) {
        if (!scenario.sendsRequests() || !settings.simMetadata() || scenario.whyNoStamps().isPresent()) {
            return false;
        }
        return switch (settings.stamp()) {
            case ON -> true;
            case OFF -> false;
            case AUTO -> preflight.stamps();
        };
    }

    private void printHeader(Scenario scenario, boolean stamps, String stampNote) {
        String workload = !scenario.sendsRequests() ? "holding connections"
                : settings.open()
                ? String.format(Locale.ROOT, "open workload %.2f responses/s (%s)", settings.rate().orElseThrow(),
                        settings.arrival().name().toLowerCase(Locale.ROOT))
                : "closed workload, think " + settings.think().toMillis() + " ms";
        out.printf(Locale.ROOT, "Switchboard load test: %s, %d sessions, %s, %.1f s + up to %.1f s grace -> %s%n",
                settings.scenario(), settings.sessions(), workload, Settings.seconds(settings.duration()),
                Settings.seconds(settings.grace()), settings.cluster().enabled()
                        ? settings.cluster().nodes().size() + " nodes " + settings.cluster().nodes()
                        : settings.endpoint());
        out.printf(Locale.ROOT, "stamps %s: %s%n", stamps ? "on" : "off", stampNote);
        out.flush();
    }

    private void checkFileDescriptors(ReportExtras extras) {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            long max = unix.getMaxFileDescriptorCount();
            if (max < settings.sessions() + 64L) {
                String warning = "the file descriptor limit (" + max + ") is below --sessions + 64; raise it with "
                        + "ulimit -n";
                extras.warn(warning);
                out.println("warning: " + warning);
            }
        }
    }

    private static ScheduledThreadPoolExecutor newScheduler() {
        ScheduledThreadPoolExecutor scheduler = (ScheduledThreadPoolExecutor) Executors.newScheduledThreadPool(1,
                r -> {
                    Thread thread = new Thread(r, "loadtest-scheduler");
                    thread.setDaemon(true);
                    return thread;
                });
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        scheduler.setRemoveOnCancelPolicy(true);
        return scheduler;
    }

    private static void sleepUntil(long deadlineNanos) throws InterruptedException {
        long left = deadlineNanos - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    private static Map<String, Long> ordered(Object... pairs) {
        Map<String, Long> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], (Long) pairs[i + 1]);
        }
        return map;
    }
}
