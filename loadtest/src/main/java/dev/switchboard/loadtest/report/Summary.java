package dev.switchboard.loadtest.report;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a finished run measured, in report units (milliseconds, seconds, counts). Immutable.
 *
 * @param scenario the scenario name
 * @param sessions the number of sessions asked for
 * @param durationS the configured duration in seconds (the measured window; the grace period comes on top)
 * @param elapsedS wall time from the first connect to the end of the grace period, seconds
 * @param settings the effective settings, in order, with the key redacted
 * @param commandLine the arguments as given, with the key redacted
 * @param sessionsConnected sessions that received {@code session.created}
 * @param responses responses by final status ({@code completed}, {@code cancelled}, {@code failed},
 *                  {@code incomplete})
 * @param requests request accounting ({@code scheduled}, {@code sent}, {@code late}, {@code unsent})
 * @param cancels cancel accounting ({@code sent}, {@code acknowledged}, {@code raced})
 * @param refusals guardrail refusals and budget cuts, counted apart from errors
 * @param errorsByCode error counts by code (broker {@code error.code} values and harness-observed problems)
 * @param errorSamples the first message seen for each error code
 * @param seq {@code seq} checking ({@code gaps}, {@code missing}, {@code duplicates})
 * @param eventsTotal server events received
 * @param eventsPerSecond server events received within the duration, divided by it
 * @param latencies the latency distributions by name ({@code ttft_ms}, {@code connect_ms}, …)
 * @param stamps whether broker-added latency was measured, and how the mode was decided
 * @param memory the broker memory sample (the idle scenario), if one was taken
 * @param resume drops, resumes, replay and text checks (the resume scenario)
 * @param slowConsumer slow sessions and broker heap (the slow-consumer scenario)
 * @param timeline one point per second of the run
 * @param warnings conditions worth a look that are not errors
 * @param exitCode the process exit code this run maps to
 * @param brokerCpu the broker's CPU from {@code /proc} over the run, with {@code --broker-pid} on this machine
 * @param cluster resumes across nodes and what each node did (the cluster scenario)
 */
public record Summary(
        String scenario,
        int sessions,
        double durationS,
        double elapsedS,
        Map<String, Object> settings,
        List<String> commandLine,
        int sessionsConnected,
        Map<String, Long> responses,
        Map<String, Long> requests,
        Map<String, Long> cancels,
        Refusals refusals,
        Map<String, Long> errorsByCode,
        Map<String, String> errorSamples,
        Map<String, Long> seq,
        long eventsTotal,
        double eventsPerSecond,
        Map<String, LatencyStats> latencies,
        StampInfo stamps,
        Optional<MemorySample> memory,
        Optional<ResumeStats> resume,
        Optional<SlowConsumerStats> slowConsumer,
        List<TimelinePoint> timeline,
        List<String> warnings,
        int exitCode,
        Optional<BrokerCpu> brokerCpu,
        Optional<ClusterStats> cluster) {

    /** A summary without a broker CPU reading. */
    public Summary(String scenario, int sessions, double durationS, double elapsedS, Map<String, Object> settings,
                   List<String> commandLine, int sessionsConnected, Map<String, Long> responses,
                   Map<String, Long> requests, Map<String, Long> cancels, Refusals refusals,
                   Map<String, Long> errorsByCode, Map<String, String> errorSamples, Map<String, Long> seq,
                   long eventsTotal, double eventsPerSecond, Map<String, LatencyStats> latencies, StampInfo stamps,
                   Optional<MemorySample> memory, Optional<ResumeStats> resume,
                   Optional<SlowConsumerStats> slowConsumer, List<TimelinePoint> timeline, List<String> warnings,
                   int exitCode) {
        this(scenario, sessions, durationS, elapsedS, settings, commandLine, sessionsConnected, responses, requests,
                cancels, refusals, errorsByCode, errorSamples, seq, eventsTotal, eventsPerSecond, latencies, stamps,
                memory, resume, slowConsumer, timeline, warnings, exitCode, Optional.empty(), Optional.empty());
    }

    /** The same summary with {@code cpu} as its broker CPU reading. */
    public Summary withBrokerCpu(Optional<BrokerCpu> cpu) {
        return new Summary(scenario, sessions, durationS, elapsedS, settings, commandLine, sessionsConnected,
                responses, requests, cancels, refusals, errorsByCode, errorSamples, seq, eventsTotal,
                eventsPerSecond, latencies, stamps, memory, resume, slowConsumer, timeline, warnings, exitCode, cpu,
                cluster);
    }

    /** The same summary with {@code stats} as its cluster results. */
    public Summary withCluster(Optional<ClusterStats> stats) {
        return new Summary(scenario, sessions, durationS, elapsedS, settings, commandLine, sessionsConnected,
                responses, requests, cancels, refusals, errorsByCode, errorSamples, seq, eventsTotal,
                eventsPerSecond, latencies, stamps, memory, resume, slowConsumer, timeline, warnings, exitCode,
                brokerCpu, stats);
    }

    /**
     * The broker process's CPU over the run, read from {@code /proc/PID/stat} (all its threads).
     *
     * @param cpuS user + system CPU seconds
     * @param wallS wall seconds between the two readings
     * @param utilisation {@code cpuS / wallS}: cores' worth of CPU (1.0 is one core fully busy)
     * @param events server events the harness received between the readings
     * @param cpuMsPer1000Events CPU milliseconds per 1,000 of those events, or -1 with no events
     * @param pinnedCore the core the broker was pinned to, or -1
     * @param coreBusy the share of that core that was busy, 0–1, every process included; -1 if not pinned
     */
    public record BrokerCpu(double cpuS, double wallS, double utilisation, long events, double cpuMsPer1000Events,
                            int pinnedCore, double coreBusy) {
        /** One line for the text and HTML reports. */
        public String describe() {
            return String.format(java.util.Locale.ROOT, "%.2f CPU s over %.1f s = %.1f %% of a core; %.3f CPU ms per "
                    + "1,000 events (%,d events)%s", cpuS, wallS, utilisation * 100, cpuMsPer1000Events, events,
                    pinnedCore < 0 ? "; not pinned" : String.format(java.util.Locale.ROOT,
                            "; pinned to core %d, that core %.1f %% busy (every process)", pinnedCore,
                            coreBusy * 100));
        }
    }

    /** Names of the latency distributions, as used in the JSON report. */
    public static final String CONNECT = "connect_ms";
    /** Client-visible time to first token, from the intended send of {@code response.create}. */
    public static final String TTFT = "ttft_ms";
    /** Broker-added time to first token, from simulator stamps. */
    public static final String BROKER_TTFT = "broker_added_ttft_ms";
    /** Gap between consecutive deltas of one response. */
    public static final String INTER_DELTA = "inter_delta_ms";
    /** Broker-added latency of every stamped delta. */
    public static final String BROKER_DELTA = "broker_added_delta_ms";
    /** From sending {@code response.cancel} to {@code response.done} with status {@code cancelled}. */
    public static final String CANCEL_ACK = "cancel_ack_ms";
    /** How late requests went out relative to their intended time. */
    public static final String SEND_LAG = "send_lag_ms";
    /** Resume: from the start of the reconnect to {@code session.resumed}. */
    public static final String RESUME = "resume_ms";
    /** Resume: from the start of the reconnect until every replayed event has arrived. */
    public static final String REPLAY = "replay_ms";
    /** Resume, backlog mode: from the start of the reconnect to the N-th replayed event. */
    public static final String REPLAY_BACKLOG = "replay_backlog_ms";
    /** Resume and cluster: from dropping the connection (offline time included) to {@code session.resumed}. */
    public static final String DROP_TO_RESUMED = "drop_to_resumed_ms";
    /** Resume and cluster: from dropping the connection to the first event after the resume point. */
    public static final String DROP_TO_FIRST_EVENT = "drop_to_first_event_ms";
    /** Guardrail scenario: from the intended send of {@code response.create} to the {@code error} refusing it. */
    public static final String REFUSAL = "refusal_ms";

    public Summary {
        settings = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(settings));
        commandLine = List.copyOf(commandLine);
        responses = copy(responses);
        requests = copy(requests);
        cancels = copy(cancels);
        errorsByCode = copy(errorsByCode);
        errorSamples = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(errorSamples));
        seq = copy(seq);
        latencies = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(latencies));
        timeline = List.copyOf(timeline);
        warnings = List.copyOf(warnings);
    }

    private static Map<String, Long> copy(Map<String, Long> map) {
        return java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(map));
    }

    /** Sum of all error counts. */
    public long errors() {
        return errorsByCode.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The named distribution, or an empty one. */
    public LatencyStats latency(String name) {
        return latencies.getOrDefault(name, LatencyStats.EMPTY);
    }

    /**
     * One latency distribution in milliseconds. An empty distribution has count 0 and zeros elsewhere.
     *
     * @param count samples
     * @param mean mean
     * @param p50 median
     * @param p90 90th percentile
     * @param p99 99th percentile
     * @param p999 99.9th percentile
     * @param max maximum
     * @param curve the percentile distribution, for plotting (percentile in 0–100, value in ms)
     */
    public record LatencyStats(long count, double mean, double p50, double p90, double p99, double p999, double max,
                               List<PercentilePoint> curve) {
        /** No samples. */
        public static final LatencyStats EMPTY = new LatencyStats(0, 0, 0, 0, 0, 0, 0, List.of());

        public LatencyStats {
            curve = List.copyOf(curve);
        }
    }

    /**
     * What the broker's tenant guardrails answered. None of it is an error: a refused {@code response.create} gets
     * an {@code error} event and the session stays usable, and a response cut by a budget ends normally.
     *
     * @param rateLimitExceeded {@code error} events with code {@code rate_limit_exceeded} (requests, tokens or
     *                          concurrent responses)
     * @param insufficientQuota {@code error} events with code {@code insufficient_quota} (a spent budget)
     * @param cutByBudget {@code response.done} with status {@code incomplete} and {@code status_details.reason}
     *                    {@code budget_exhausted}; also counted in {@code responses.incomplete}
     * @param rateLimitsUpdated {@code rate_limits.updated} events received
     */
    public record Refusals(long rateLimitExceeded, long insufficientQuota, long cutByBudget, long rateLimitsUpdated) {
        /** Nothing refused, cut or reported. */
        public static final Refusals NONE = new Refusals(0, 0, 0, 0);

        /** Refused requests, both codes. */
        public long refused() {
            return rateLimitExceeded + insufficientQuota;
        }

        /** Whether anything was counted at all. */
        public boolean any() {
            return refused() + cutByBudget + rateLimitsUpdated > 0;
        }

        /** The refusal counts by {@code error.code}, as the reports show them. */
        public Map<String, Long> byCode() {
            Map<String, Long> codes = new java.util.LinkedHashMap<>();
            codes.put("rate_limit_exceeded", rateLimitExceeded);
            codes.put("insufficient_quota", insufficientQuota);
            return java.util.Collections.unmodifiableMap(codes);
        }
    }

    /**
     * A point of a percentile curve.
     *
     * @param percentile 0–100
     * @param valueMs the value at that percentile, ms
     */
    public record PercentilePoint(double percentile, double valueMs) {
    }

    /**
     * Percentiles of one one-second window.
     *
     * @param count samples in the window
     * @param p50 median, ms
     * @param p99 99th percentile, ms
     * @param max maximum, ms
     */
    public record Window(long count, double p50, double p99, double max) {
        /** No samples in the window. */
        public static final Window EMPTY = new Window(0, 0, 0, 0);
    }

    /**
     * One second of the run.
     *
     * @param t seconds since the run started, at the end of the window
     * @param sessionsConnected sessions open at that moment
     * @param eventsPerSecond events received in the window, per second
     * @param responses responses finished in the window
     * @param errors errors in the window
     * @param ttft client-visible TTFT samples recorded in the window
     * @param interDelta inter-delta gaps recorded in the window
     * @param brokerTtft broker-added TTFT samples recorded in the window
     */
    public record TimelinePoint(double t, int sessionsConnected, double eventsPerSecond, long responses, long errors,
                                Window ttft, Window interDelta, Window brokerTtft) {
    }

    /**
     * Whether deltas carried simulator stamps.
     *
     * @param mode the requested mode ({@code auto}, {@code on}, {@code off})
     * @param requested whether responses asked the simulator to stamp
     * @param stampedDeltas deltas that carried a stamp
     * @param negativeClamped stamped deltas whose computed latency was negative (clock step) and were recorded as 0
     * @param note how the mode was decided
     */
    public record StampInfo(String mode, boolean requested, long stampedDeltas, long negativeClamped, String note) {
    }

    /**
     * A distribution of counts (not times).
     *
     * @param count samples
     * @param mean mean
     * @param p50 median
     * @param p90 90th percentile
     * @param p99 99th percentile
     * @param max maximum
     * @param total sum of all samples
     */
    public record CountStats(long count, double mean, long p50, long p90, long p99, long max, long total) {
        /** No samples. */
        public static final CountStats EMPTY = new CountStats(0, 0, 0, 0, 0, 0, 0);
    }

    /**
     * What the resume scenario saw. {@code seq} gaps and duplicates across reconnects are the run's {@code seq}
     * counts; replay latencies are the {@code resume_ms}, {@code replay_ms} and {@code replay_backlog_ms}
     * distributions.
     *
     * @param mode {@code drop} or {@code backlog}
     * @param offlineMs how long a dropped session stayed away
     * @param disconnects connections dropped on purpose
     * @param resumed {@code session.resumed} received
     * @param replayedEvents events replayed per resume
     * @param backlogEvents backlog mode: the missed events whose replay is timed; 0 otherwise
     * @param backlogMeasured backlog mode: resumes that replayed at least that many events
     * @param backlogShort backlog mode: resumes that replayed fewer (left out of {@code replay_backlog_ms})
     * @param textChecked responses whose deltas were compared with {@code response.output_text.done}
     * @param textMismatches of those, the ones that differed
     * @param referenceChecked completed responses compared with the uninterrupted text of their turn
     * @param referenceMismatches of those, the ones that differed
     * @param referenceUnverified completed responses of turns without an uninterrupted reference
     */
    public record ResumeStats(String mode, double offlineMs, long disconnects, long resumed,
                              CountStats replayedEvents, int backlogEvents, long backlogMeasured, long backlogShort,
                              long textChecked, long textMismatches, long referenceChecked,
                              long referenceMismatches, long referenceUnverified) {
    }

    /**
     * One {@code /metrics} sample of the broker.
     *
     * @param t seconds since the run started
     * @param heapBytes summed {@code jvm_memory_used_bytes{area="heap"}}
     * @param slowConsumerClosed {@code broker_connections_slow_consumer_total} since the run started (when the
     *                           broker closed slow sessions, which they learn only once they read again), or -1
     */
    public record BrokerPoint(double t, long heapBytes, long slowConsumerClosed) {
    }

    /**
     * What the slow-consumer scenario saw. The normal sessions' latencies are the run's {@code ttft_ms} and
     * {@code inter_delta_ms}: slow sessions record none.
     *
     * @param share {@code --slow-share}
     * @param slowSessions sessions that were slow
     * @param slowForS how long a slow session stopped reading at most, seconds
     * @param paused slow sessions that stopped reading (after their first delta)
     * @param closedSlowConsumer slow sessions that read the broker's 4008 {@code slow_consumer} close frame
     * @param closedAbruptly slow sessions whose connection the broker cut (1006) before they read a close frame
     * @param closedOther slow sessions the broker closed with another code (also counted as errors)
     * @param notClosed slow sessions still open at the end of the run
     * @param brokerSlowConsumerClosed the broker's {@code broker_connections_slow_consumer_total} counted over the
     *                                 run, or -1 when it was not available
     * @param heapBeforeBytes broker heap before the first connect, or -1
     * @param heapMaxBytes the largest heap sample during the run, or -1
     * @param heapLastBytes the last heap sample, at the end of the duration, or -1
     * @param broker one sample per second, from the moment every session connected to the end of the duration
     * @param source the {@code /metrics} URL scraped
     */
    public record SlowConsumerStats(double share, int slowSessions, double slowForS, long paused,
                                    long closedSlowConsumer, long closedAbruptly, long closedOther, long notClosed,
                                    long brokerSlowConsumerClosed, long heapBeforeBytes, long heapMaxBytes,
                                    long heapLastBytes, List<BrokerPoint> broker, String source) {
        public SlowConsumerStats {
            broker = List.copyOf(broker);
        }
    }

    /**
     * The broker's heap before and after the sessions connected (idle scenario).
     *
     * @param heapBeforeBytes summed {@code jvm_memory_used_bytes{area="heap"}} before connecting
     * @param heapAfterBytes the same after every session connected and the settle time passed
     * @param sessionsActiveBefore {@code broker_sessions_active} before connecting
     * @param sessionsActiveAfter {@code broker_sessions_active} at the second sample
     * @param sessionsMeasured the sessions the difference is divided by (connected on our side)
     * @param bytesPerSession {@code (after - before) / sessionsMeasured}
     * @param gcForced whether {@code jcmd PID GC.run} ran successfully before both samples
     * @param settled whether every session had connected and the settle time passed before the second sample
     * @param source the {@code /metrics} URL scraped
     */
    public record MemorySample(long heapBeforeBytes, long heapAfterBytes, long sessionsActiveBefore,
                               long sessionsActiveAfter, long sessionsMeasured, double bytesPerSession,
                               boolean gcForced, boolean settled, String source) {
    }
}
