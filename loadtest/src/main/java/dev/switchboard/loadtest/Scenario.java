package dev.switchboard.loadtest;

import java.util.Optional;
import java.util.SplittableRandom;

/**
 * What the sessions of a run do. A scenario is created per run by {@link Scenarios#create}; the engine owns
 * connecting, the request schedule, stream reading and measuring, and asks the scenario at these points:
 *
 * <ul>
 *   <li>{@link #sendsRequests()}: whether sessions follow the request schedule at all;</li>
 *   <li>{@link #cancelAfterDeltas}: per request, whether and when to cancel it;</li>
 *   <li>{@link #beforeConnect} and {@link #afterConnected}: run-level hooks that may block (sampling);</li>
 *   <li>{@link #resumePlan()}, {@link #slowPlan()}: whether sessions drop and resume their connection, and
 *       whether some stop reading;</li>
 *   <li>{@link #whyNoStamps()}: whether the scenario cannot use delta stamps;</li>
 *   <li>{@link #expectsRefusals()}: whether the run is meant to meet the broker's guardrails;</li>
 *   <li>{@link #report}: scenario-specific results and warnings.</li>
 * </ul>
 *
 * <p>To add one (voice, barge-in), implement this interface, register it in
 * {@link Scenarios}, and where it needs a new reaction to the stream add a hook here with a default that keeps
 * the existing scenarios unchanged.
 */
interface Scenario {

    /** The {@code --scenario} name. */
    String name();

    /** Whether sessions send requests (closed loop or open schedule); false holds connections only. */
    boolean sendsRequests();

    /**
     * Deltas after which to send {@code response.cancel} for the request about to start, or 0 never to cancel.
     * Called on whichever thread starts the request, holding that session's monitor; must not block.
     */
    default int cancelAfterDeltas(SplittableRandom random) {
        return 0;
    }

    /** Runs on the run thread before any session connects and before the run's clock starts. May block. */
    default void beforeConnect() throws InterruptedException {
    }

    /**
     * Runs on the run thread once every session has connected or failed, or at the end of the duration if
     * some are still connecting ({@code allConnected} false). May block until {@link RunContext#endNanos()}.
     */
    default void afterConnected(RunContext run, boolean allConnected) throws InterruptedException {
    }

    /** How sessions drop and resume their connection; empty when they never do. */
    default Optional<ResumePlan> resumePlan() {
        return Optional.empty();
    }

    /** Which sessions stop reading, and for how long; empty when none do. */
    default Optional<SlowPlan> slowPlan() {
        return Optional.empty();
    }

    /** Why delta stamps must stay off for this scenario (the report's stamp note); empty when they may be used. */
    default Optional<String> whyNoStamps() {
        return Optional.empty();
    }

    /**
     * Whether the run is meant to drive its tenant into the broker's guardrails: refusals are then timed
     * ({@code refusal_ms}) and a run that met none is warned about. Refusals are never errors, in any scenario.
     */
    default boolean expectsRefusals() {
        return false;
    }

    /** Adds results to the report; called once on the run thread after every session closed. */
    default void report(ReportExtras extras) {
    }
}
