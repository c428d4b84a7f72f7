package dev.switchboard.loadtest.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The cluster scenario's part of the three reports: one JSON object, the text lines and the HTML rows, so the
 * JSON, text and HTML reports each add it with one call. Stateless and thread-safe.
 */
final class ClusterReport {
    private ClusterReport() {
    }

    /**
     * {@code {resumes: {attempted, succeeded, refused, failed, unfinished, refused_by_code: {code: n}},
     * nodes: [{url, sessions_created, resumes_attempted, resumes_succeeded, resumes_refused, events,
     * broker_cpu?}]}}.
     */
    static ObjectNode json(ClusterStats c) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        ObjectNode resumes = node.putObject("resumes");
        resumes.put("attempted", c.attempted()).put("succeeded", c.succeeded()).put("refused", c.refused())
                .put("failed", c.failed()).put("unfinished", c.unfinished());
        ObjectNode codes = resumes.putObject("refused_by_code");
        c.refusedByCode().forEach(codes::put);
        ArrayNode nodes = node.putArray("nodes");
        for (ClusterStats.Node n : c.nodes()) {
            ObjectNode entry = nodes.addObject();
            entry.put("url", n.url()).put("sessions_created", n.sessionsCreated())
                    .put("resumes_attempted", n.resumesAttempted()).put("resumes_succeeded", n.resumesSucceeded())
                    .put("resumes_refused", n.resumesRefused()).put("events", n.events());
            n.brokerCpu().ifPresent(cpu -> entry.set("broker_cpu", JsonReport.brokerCpu(cpu)));
        }
        return node;
    }

    /** Label and text pairs, one per line: the resume outcomes, then one per node. */
    static List<Map.Entry<String, String>> lines(ClusterStats c) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        StringBuilder codes = new StringBuilder();
        c.refusedByCode().forEach((code, n) -> codes.append(codes.length() == 0 ? " (" : ", ").append(code)
                .append(' ').append(String.format(Locale.ROOT, "%,d", n)));
        if (codes.length() > 0) {
            codes.append(')');
        }
        out.add(Map.entry("cross-node", String.format(Locale.ROOT, "resumes attempted %,d  succeeded %,d  refused "
                + "%,d%s  failed %,d  unfinished %,d", c.attempted(), c.succeeded(), c.refused(), codes, c.failed(),
                c.unfinished())));
        for (int i = 0; i < c.nodes().size(); i++) {
            ClusterStats.Node n = c.nodes().get(i);
            String cpu = n.brokerCpu().map(b -> String.format(Locale.ROOT, "; broker %.3f CPU ms per 1,000 events "
                    + "(%.2f CPU s, %.1f %% of a core)", b.cpuMsPer1000Events(), b.cpuS(), b.utilisation() * 100))
                    .orElse("");
            out.add(Map.entry("node " + (i + 1), String.format(Locale.ROOT, "%s: sessions created %,d, resumes "
                    + "here %,d (succeeded %,d, refused %,d), events %,d%s", n.url(), n.sessionsCreated(),
                    n.resumesAttempted(), n.resumesSucceeded(), n.resumesRefused(), n.events(), cpu)));
        }
        return out;
    }
}
