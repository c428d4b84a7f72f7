package dev.switchboard.loadtest;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * The resume scenario's run-wide part: when sessions drop their connection, how long they stay away, and what the
 * run counts about drops and resumes. Each session's own progress is a {@link ResumeState}.
 *
 * <p>Two modes. In the <b>drop</b> mode each response, with probability {@code --disconnect-prob} and at most
 * {@code --max-disconnects} times per session, drops its connection after a uniformly random number of deltas in
 * {@code --disconnect-after}, stays away {@code --offline}, and resumes. In the <b>backlog</b> mode
 * ({@code --backlog N}) the first response of each session drops right after its first delta and stays away until
 * the simulator must have finished it, so the resume replays a known backlog of at least N events; the first
 * session (when there is more than one) runs that response without a drop, as the uninterrupted reference text.
 *
 * <p>Where sessions connect is a {@link ClusterTally}: one node (the {@code --url}) in the resume scenario; in the
 * cluster scenario the {@code --nodes}, with every resume moving the session to the next node. Only the cluster
 * scenario counts a refused resume as a refusal ({@link #countsRefusals()}); in the resume scenario a refusal is an
 * error like any other, because one broker must always resume its own sessions.
 *
 * <p>Thread-safe: immutable apart from its counters, the recorder and the {@link TextCheck}, which take concurrent
 * writers.
 */
final class ResumePlan {
    private final Settings.ResumeOptions options;
    private final int sessions;
    private final long offlineNanos;
    private final boolean referenceTexts;
    private final boolean countsRefusals;

    /** Connections dropped on purpose. */
    final LongAdder drops = new LongAdder();
    /** {@code session.resumed} received. */
    final LongAdder resumed = new LongAdder();
    /** Events replayed in total (see {@link ResumeState#onProbeAnswer}). */
    final LongAdder replayedTotal = new LongAdder();
    /** Backlog mode: resumes whose backlog held at least the asked-for number of events. */
    final LongAdder backlogMeasured = new LongAdder();
    /** Backlog mode: resumes whose backlog was shorter (the response had not finished while away). */
    final LongAdder backlogShort = new LongAdder();
    /** Responses whose delta text was compared with {@code response.output_text.done}. */
    final LongAdder textChecked = new LongAdder();
    /** Responses whose concatenated deltas differed from {@code response.output_text.done}. */
    final LongAdder textMismatches = new LongAdder();
    /** Events replayed per resume (a count, not a time). */
    final Recorder replayedEvents = new Recorder(Measurements.MAX_MICROS, 3);
    /** Interrupted responses against uninterrupted ones, turn by turn. */
    final TextCheck reference = new TextCheck();
    /** The nodes and what each did. */
    final ClusterTally nodes;

    ResumePlan(Settings settings) {
        this.options = settings.resume();
        this.sessions = settings.sessions();
        // Only the simulator's text is deterministic; a real model answers each session differently.
        this.referenceTexts = settings.simMetadata();
        long offline = options.offline().toNanos();
        if (options.backlogMode()) {
            // The simulator's own time for the whole response, twice over for a loaded machine.
            double generationSeconds = settings.ttftMs() / 1e3 + settings.tokens() / settings.tokensPerSecond();
            offline += 2 * (long) (generationSeconds * 1e9);
        }
        this.offlineNanos = offline;
        this.countsRefusals = settings.cluster().enabled();
        this.nodes = new ClusterTally(settings.cluster().enabled() ? settings.cluster().nodes()
                : List.of(settings.endpoint()));
    }

    /**
     * Whether a refused resume ({@code error} event, then close 4410) is counted as a refusal by code rather than
     * as an error: the cluster scenario, where a node may not (yet) serve another node's sessions.
     */
    boolean countsRefusals() {
        return countsRefusals;
    }

    /** The number of missed events whose replay is timed, or 0 in the drop mode. */
    int backlog() {
        return options.backlog();
    }

    /** Whether texts are compared across sessions (only with the deterministic simulator). */
    boolean referenceTexts() {
        return referenceTexts;
    }

    /** How long a dropped session stays away before reconnecting. */
    long offlineNanos() {
        return offlineNanos;
    }

    /**
     * Deltas after which response {@code turn} (1-based) of session {@code index} drops its connection, or 0 for
     * no drop. Called holding the session's monitor; draws from the session's own random stream.
     */
    int dropAfter(SplittableRandom random, int index, int turn, int dropsSoFar) {
        if (options.backlogMode()) {
            return turn == 1 && (index != 0 || sessions == 1) ? 1 : 0;
        }
        if (dropsSoFar >= options.maxDisconnects() || !(random.nextDouble() < options.disconnectProbability())) {
            return 0;
        }
        return options.dropMin() + random.nextInt(options.dropMax() - options.dropMin() + 1);
    }

    /** The URI that resumes with {@code token} after {@code lastSeq}: the run's endpoint plus both parameters. */
    static URI resumeUri(URI endpoint, String token, long lastSeq) {
        String base = endpoint.toString();
        return URI.create(base + (base.contains("?") ? "&" : "?") + "resume_token="
                + URLEncoder.encode(token, StandardCharsets.UTF_8) + "&last_seq=" + lastSeq);
    }

    /** The offline time in milliseconds, for the report. */
    double offlineMs() {
        return offlineNanos / (double) TimeUnit.MILLISECONDS.toNanos(1);
    }
}
