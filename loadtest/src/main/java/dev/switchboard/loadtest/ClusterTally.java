package dev.switchboard.loadtest;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntToLongFunction;

/**
 * Where the sessions of a resume or cluster run are, node by node: the nodes' endpoints, which node a session
 * starts on and which it resumes on next, and what each node did (sessions created, resumes attempted, answered
 * and refused, events delivered). The plain resume scenario has one node, its {@code --url}.
 *
 * <p>Thread-safe: the node list is immutable and every count is a {@link LongAdder}; sessions count from their
 * own frame callbacks, the report reads once after the run.
 */
final class ClusterTally {
    private final List<URI> nodes;
    private final LongAdder[] created;
    private final LongAdder[] attempted;
    private final LongAdder[] resumed;
    private final LongAdder[] refused;
    private final LongAdder[] events;
    private final ConcurrentHashMap<String, LongAdder> refusedByCode = new ConcurrentHashMap<>();
    /** Reconnects whose WebSocket upgrade failed (node down, timeout): no answer, so not a refusal. */
    final LongAdder failed = new LongAdder();

    ClusterTally(List<URI> nodes) {
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("a run has at least one node");
        }
        this.nodes = List.copyOf(nodes);
        this.created = adders(nodes.size());
        this.attempted = adders(nodes.size());
        this.resumed = adders(nodes.size());
        this.refused = adders(nodes.size());
        this.events = adders(nodes.size());
    }

    private static LongAdder[] adders(int n) {
        LongAdder[] out = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            out[i] = new LongAdder();
        }
        return out;
    }

    /** The number of nodes. */
    int size() {
        return nodes.size();
    }

    /** The endpoint of node {@code node}. */
    URI node(int node) {
        return nodes.get(node);
    }

    /** The node session {@code index} (0-based) starts on: round-robin. */
    int first(int index) {
        return index % nodes.size();
    }

    /** The node a session on {@code node} resumes on: the next one, so always another node when there are two. */
    int next(int node) {
        return (node + 1) % nodes.size();
    }

    void created(int node) {
        created[node].increment();
    }

    void attempted(int node) {
        attempted[node].increment();
    }

    void resumed(int node) {
        resumed[node].increment();
    }

    void event(int node) {
        events[node].increment();
    }

    /** Node {@code node} refused a resume with {@code code} (its {@code error.code}, or {@code closed_NNNN}). */
    void refused(int node, String code) {
        refused[node].increment();
        refusedByCode.computeIfAbsent(code, c -> new LongAdder()).increment();
    }

    long attemptedAt(int node) {
        return attempted[node].sum();
    }

    long resumedAt(int node) {
        return resumed[node].sum();
    }

    long refusedAt(int node) {
        return refused[node].sum();
    }

    long eventsAt(int node) {
        return events[node].sum();
    }

    long createdAt(int node) {
        return created[node].sum();
    }

    /** Refused resumes by code, sorted by code. */
    Map<String, Long> refusedByCode() {
        Map<String, Long> out = new TreeMap<>();
        refusedByCode.forEach((code, n) -> out.put(code, n.sum()));
        return out;
    }

    /** Sum of a per-node count over every node. */
    long total(IntToLongFunction perNode) {
        long sum = 0;
        for (int i = 0; i < nodes.size(); i++) {
            sum += perNode.applyAsLong(i);
        }
        return sum;
    }
}
