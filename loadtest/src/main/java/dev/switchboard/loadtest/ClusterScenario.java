package dev.switchboard.loadtest;

import dev.switchboard.loadtest.report.ClusterStats;
import dev.switchboard.loadtest.report.Summary;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * The resume scenario across brokers: sessions are dealt round-robin to the {@code --nodes}, drop their connection
 * mid-answer, and resume each time on the next node, so every resume presents a token issued (or last resumed) by
 * another node. Everything the resume scenario checks applies unchanged ({@link ResumeScenario}: contiguous
 * {@code seq} across nodes, {@code session.resumed} for every reconnect, deltas against
 * {@code response.output_text.done}, texts against uninterrupted responses of the same turn), and the same
 * latencies are timed. On top, it counts resumes by outcome and each node's share ({@link ClusterTally}), and with
 * {@code --broker-pids} each node's broker CPU per 1,000 events received from that node.
 *
 * <p>A node that cannot serve another node's session refuses the resume with an {@code error} event and closes
 * with 4410: the resume counts as refused under that code, the session ends, and the run fails with the error
 * {@code resume_refused}, because a refused resume means the cluster lost that session. Hooks run on the run
 * thread.
 */
final class ClusterScenario implements Scenario {
    private final ResumeScenario resume;
    private final ResumePlan plan;
    private final ClusterOptions options;
    private final List<Optional<ProcCpu>> meters = new ArrayList<>();

    ClusterScenario(Settings settings) {
        this.resume = new ResumeScenario(settings);
        this.plan = resume.resumePlan().orElseThrow();
        this.options = settings.cluster();
    }

    @Override
    public String name() {
        return "cluster";
    }

    @Override
    public boolean sendsRequests() {
        return true;
    }

    @Override
    public Optional<ResumePlan> resumePlan() {
        return Optional.of(plan);
    }

    @Override
    public Optional<String> whyNoStamps() {
        return Optional.of("the cluster scenario compares response texts across sessions and nodes, and stamps "
                + "would make them differ");
    }

    @Override
    public void beforeConnect() {
        for (long pid : options.brokerPids()) {
            ProcCpu meter = new ProcCpu(pid, OptionalInt.empty());
            meters.add(meter.start() ? Optional.of(meter) : Optional.empty());
        }
    }

    @Override
    public void report(ReportExtras extras) {
        resume.report(extras);
        ClusterTally nodes = plan.nodes;
        List<ClusterStats.Node> perNode = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            long events = nodes.eventsAt(i);
            Optional<Summary.BrokerCpu> cpu = i < meters.size() ? meters.get(i).flatMap(m -> m.finish(events))
                    : Optional.empty();
            if (i < options.brokerPids().size() && cpu.isEmpty()) {
                extras.warn("no CPU figure for node " + (i + 1) + ": /proc/" + options.brokerPids().get(i)
                        + "/stat could not be read at the start or the end of the run");
            }
            perNode.add(new ClusterStats.Node(nodes.node(i).toString(), nodes.createdAt(i), nodes.attemptedAt(i),
                    nodes.resumedAt(i), nodes.refusedAt(i), events, cpu));
        }
        long attempted = nodes.total(nodes::attemptedAt);
        long succeeded = nodes.total(nodes::resumedAt);
        long refused = nodes.total(nodes::refusedAt);
        long failed = nodes.failed.sum();
        long unfinished = Math.max(0, attempted - succeeded - refused - failed);
        extras.cluster(new ClusterStats(attempted, succeeded, refused, failed, unfinished, nodes.refusedByCode(),
                perNode));
        if (refused > 0) {
            String codes = nodes.refusedByCode().entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                    .collect(Collectors.joining(", "));
            extras.error("resume_refused", refused, String.format(Locale.ROOT, "%,d of %,d resumes on another node "
                    + "were refused (%s); those sessions ended", refused, attempted, codes));
        }
    }
}
