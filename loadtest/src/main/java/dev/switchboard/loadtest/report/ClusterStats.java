package dev.switchboard.loadtest.report;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the cluster scenario saw: resumes that moved a session to another node, and each node's share. The seq
 * checks, texts and resume latencies are the run's own ({@code seq}, {@code resume}, {@code drop_to_resumed_ms},
 * …). Immutable.
 *
 * @param attempted reconnects started, each to another node than the session was on
 * @param succeeded of those, answered with {@code session.resumed}
 * @param refused answered with a refusal: an {@code error} event, then a close (4410)
 * @param failed whose WebSocket upgrade failed (node unreachable, timeout): no answer at all
 * @param unfinished neither answered nor failed by the end of the run
 * @param refusedByCode refused resumes by the refusal's {@code error.code} ({@code closed_NNNN} when the node
 *                      closed without an {@code error} event), sorted by code
 * @param nodes one entry per {@code --nodes} entry, in that order
 */
public record ClusterStats(long attempted, long succeeded, long refused, long failed, long unfinished,
                           Map<String, Long> refusedByCode, List<Node> nodes) {
    public ClusterStats {
        refusedByCode = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(refusedByCode));
        nodes = List.copyOf(nodes);
    }

    /**
     * One node.
     *
     * @param url its endpoint as connected to
     * @param sessionsCreated sessions that started on it ({@code session.created})
     * @param resumesAttempted reconnects that came to it from another node
     * @param resumesSucceeded of those, answered with {@code session.resumed}
     * @param resumesRefused of those, refused
     * @param events server events the harness received from it
     * @param brokerCpu its broker's CPU over the run, with {@code --broker-pids} on this machine
     */
    public record Node(String url, long sessionsCreated, long resumesAttempted, long resumesSucceeded,
                       long resumesRefused, long events, Optional<Summary.BrokerCpu> brokerCpu) {
    }
}
