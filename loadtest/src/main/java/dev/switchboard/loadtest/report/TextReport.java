package dev.switchboard.loadtest.report;

import java.util.Locale;
import java.util.Map;

/** The human-readable end-of-run table printed to the terminal. Stateless and thread-safe. */
public final class TextReport {
    private static final Map<String, String> LABELS = Map.ofEntries(
            Map.entry(Summary.CONNECT, "connect"),
            Map.entry(Summary.TTFT, "ttft"),
            Map.entry(Summary.BROKER_TTFT, "broker-added ttft"),
            Map.entry(Summary.INTER_DELTA, "inter-delta gap"),
            Map.entry(Summary.BROKER_DELTA, "broker-added delta"),
            Map.entry(Summary.CANCEL_ACK, "cancel ack"),
            Map.entry(Summary.SEND_LAG, "send lag"),
            Map.entry(Summary.RESUME, "resume"),
            Map.entry(Summary.REPLAY, "replay (caught up)"),
            Map.entry(Summary.REPLAY_BACKLOG, "replay backlog"),
            Map.entry(Summary.DROP_TO_RESUMED, "drop to resumed"),
            Map.entry(Summary.DROP_TO_FIRST_EVENT, "drop to 1st event"));

    private TextReport() {
    }

    /** Renders the summary as a multi-line table ending in a newline. */
    public static String render(Summary s) {
        StringBuilder out = new StringBuilder(2048);
        line(out, "Switchboard load test: scenario %s, %d sessions (%d connected), %.1f s measured, %.1f s elapsed",
                s.scenario(), s.sessions(), s.sessionsConnected(), s.durationS(), s.elapsedS());
        line(out, "%-22s %9s %10s %10s %10s %10s %10s %10s", "latency (ms)", "count", "mean", "p50", "p90", "p99",
                "p99.9", "max");
        s.latencies().forEach((name, stats) -> {
            String label = LABELS.getOrDefault(name, name);
            if (stats.count() == 0) {
                line(out, "%-22s %9d %10s %10s %10s %10s %10s %10s", label, 0, "-", "-", "-", "-", "-", "-");
            } else {
                line(out, "%-22s %9d %10.3f %10.3f %10.3f %10.3f %10.3f %10.3f", label, stats.count(), stats.mean(),
                        stats.p50(), stats.p90(), stats.p99(), stats.p999(), stats.max());
            }
        });
        line(out, "");
        line(out, "%-12s %s", "responses", pairs(s.responses()));
        line(out, "%-12s %s", "requests", pairs(s.requests()));
        if (s.cancels().values().stream().anyMatch(v -> v > 0)) {
            line(out, "%-12s %s", "cancels", pairs(s.cancels()));
        }
        if (s.refusals().any()) {
            line(out, "%-12s %s; responses cut by a budget %,d; rate_limits.updated %,d (not errors)", "refusals",
                    pairs(s.refusals().byCode()), s.refusals().cutByBudget(), s.refusals().rateLimitsUpdated());
        }
        line(out, "%-12s %,d total, %,.1f/s within the duration", "events", s.eventsTotal(), s.eventsPerSecond());
        line(out, "%-12s %s", "seq", pairs(s.seq()));
        line(out, "%-12s %s: %,d stamped deltas (%s)", "stamps", s.stamps().requested() ? "on" : "off",
                s.stamps().stampedDeltas(), s.stamps().note());
        s.memory().ifPresent(m -> line(out, "%-12s heap %,d -> %,d bytes, sessions active %d -> %d: %,.0f bytes per "
                        + "session (%s, %s)", "memory", m.heapBeforeBytes(), m.heapAfterBytes(),
                m.sessionsActiveBefore(), m.sessionsActiveAfter(), m.bytesPerSession(),
                m.gcForced() ? "GC forced" : "no GC forced: includes garbage",
                m.settled() ? "settled" : "NOT settled"));
        s.resume().ifPresent(r -> resume(out, r));
        s.slowConsumer().ifPresent(slow -> slowConsumer(out, slow));
        s.brokerCpu().ifPresent(cpu -> line(out, "%-12s %s", "broker cpu", cpu.describe()));
        s.cluster().ifPresent(c -> ClusterReport.lines(c).forEach(e -> line(out, "%-12s %s", e.getKey(),
                e.getValue())));
        line(out, "%-12s %,d", "errors", s.errors());
        s.errorsByCode().forEach((code, count) -> line(out, "  %-30s %,9d  %s", code, count,
                s.errorSamples().getOrDefault(code, "")));
        s.warnings().forEach(w -> line(out, "warning: %s", w));
        line(out, "result: %s (exit %d)", s.exitCode() == 0 ? "OK" : "FAILED", s.exitCode());
        return out.toString();
    }

    private static void resume(StringBuilder out, Summary.ResumeStats r) {
        Summary.CountStats replayed = r.replayedEvents();
        line(out, "%-12s %s mode, offline %.0f ms: %,d disconnects, %,d resumed; events replayed per resume p50 %,d "
                        + "p99 %,d max %,d (total %,d)", "resume", r.mode(), r.offlineMs(), r.disconnects(),
                r.resumed(), replayed.p50(), replayed.p99(), replayed.max(), replayed.total());
        if (r.backlogEvents() > 0) {
            line(out, "%-12s %,d missed events: %,d resumes timed, %,d replayed fewer", "backlog", r.backlogEvents(),
                    r.backlogMeasured(), r.backlogShort());
        }
        line(out, "%-12s deltas vs done: checked %,d  mismatches %,d; vs uninterrupted: checked %,d  mismatches %,d"
                        + "  unverified %,d", "text", r.textChecked(), r.textMismatches(), r.referenceChecked(),
                r.referenceMismatches(), r.referenceUnverified());
    }

    private static void slowConsumer(StringBuilder out, Summary.SlowConsumerStats slow) {
        line(out, "%-12s %d sessions (share %.2f), paused %d, closed 4008 %d, cut %d, closed otherwise %d, still "
                        + "open %d; broker counted %s", "slow", slow.slowSessions(), slow.share(), slow.paused(),
                slow.closedSlowConsumer(), slow.closedAbruptly(), slow.closedOther(), slow.notClosed(),
                slow.brokerSlowConsumerClosed() < 0 ? "n/a" : Long.toString(slow.brokerSlowConsumerClosed()));
        line(out, "%-12s before %s, max %s, last %s (%d samples, no forced GC)", "broker heap",
                megabytes(slow.heapBeforeBytes()), megabytes(slow.heapMaxBytes()), megabytes(slow.heapLastBytes()),
                slow.broker().size());
        slow.broker().stream().filter(p -> p.slowConsumerClosed() > 0).findFirst().ifPresent(p -> line(out,
                "%-12s the broker's first slow-consumer close was counted by the sample at %.1f s", "", p.t()));
    }

    /** Bytes as {@code 12.3 MB}, or {@code n/a} for a missing (negative) sample. */
    static String megabytes(long bytes) {
        return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    private static String pairs(Map<String, Long> counts) {
        StringBuilder sb = new StringBuilder();
        counts.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : "  ").append(k).append(' ')
                .append(String.format(Locale.ROOT, "%,d", v)));
        return sb.toString();
    }

    private static void line(StringBuilder out, String format, Object... args) {
        out.append(String.format(Locale.ROOT, format, args)).append('\n');
    }
}
