package dev.switchboard.loadtest;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * The cluster scenario's targets: the brokers (nodes) sessions are spread over, and their process ids for the CPU
 * figures. Immutable; both lists are empty outside the cluster scenario.
 *
 * @param nodes the Realtime endpoint of each node, {@code model} parameter included, in {@code --nodes} order;
 *              session {@code i} starts on node {@code i mod n} and each resume moves it to the next node
 * @param brokerPids the process id of each node's broker ({@code --broker-pids}), in the same order; empty when
 *                   not given
 */
public record ClusterOptions(List<URI> nodes, List<Long> brokerPids) {
    /** No cluster: a single {@code --url}. */
    public static final ClusterOptions NONE = new ClusterOptions(List.of(), List.of());

    public ClusterOptions {
        nodes = List.copyOf(nodes);
        brokerPids = List.copyOf(brokerPids);
    }

    /** Whether sessions are spread over several nodes. */
    public boolean enabled() {
        return !nodes.isEmpty();
    }

    /** The comma-separated entries of a list flag, trimmed; refuses empty entries. */
    static List<String> entries(String flag, String text) {
        List<String> out = new ArrayList<>();
        for (String entry : text.split(",", -1)) {
            if (entry.isBlank()) {
                throw new IllegalArgumentException(flag + " must be a comma-separated list without empty entries, "
                        + "not '" + text + "'");
            }
            out.add(entry.trim());
        }
        return out;
    }

    /** {@code --broker-pids p1,p2,...}: positive process ids. */
    static List<Long> pids(String flag, String text) {
        List<Long> out = new ArrayList<>();
        for (String entry : entries(flag, text)) {
            try {
                long pid = Long.parseLong(entry);
                if (pid < 1) {
                    throw new IllegalArgumentException(flag + " entries must be positive process ids, not " + pid);
                }
                out.add(pid);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " entries must be process ids, not '" + entry + "'", e);
            }
        }
        return out;
    }
}
