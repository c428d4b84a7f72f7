package dev.switchboard.broker.session;

import dev.switchboard.bridge.upstream.UpstreamOutcome;
import dev.switchboard.broker.route.Provider;
import dev.switchboard.broker.route.RetryPolicy;
import dev.switchboard.broker.route.Route;
import dev.switchboard.protocol.close.CloseReason;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.DoubleSupplier;

/**
 * The attempts of one response across its route: which target is asked, retries on it, failover to the next,
 * prefill continuation, and every circuit-breaker admission and verdict. It decides; it does not act: each call
 * returns a {@link Decision} the session carries out (open an attempt, wait and retry, announce a failover, fail
 * the response). Attempt state is written here only.
 *
 * <p>Confined to the session's shard thread. Breakers are shared and thread-safe; every breaker admission taken
 * here is answered exactly once: success, failure, or neutral when the attempt ends without telling anything about
 * the provider (a cancel, a client gone).
 */
final class ResponseAttempts {

    /** What the session does next. */
    sealed interface Decision {
        /** Open an attempt on {@code target} now (its breaker admitted it); {@code prefill}: continue the text. */
        record Attempt(Route.Target target, boolean prefill) implements Decision {
        }

        /** Ask {@link #retryDue()} again after {@code delay} (same target). */
        record Retry(Duration delay, String provider) implements Decision {
        }

        /**
         * The response moves from {@code from} to {@link #target()}: announce it, then call {@link #start()}.
         * {@code continueText}: the new target continues the interrupted text; otherwise the answer restarts.
         */
        record FailOver(Route.Target from, Route.Target to, boolean continueText, UpstreamOutcome.Failed cause)
                implements Decision {
        }

        /** No target is left, or the failure is final: the response fails with {@code failure}. */
        record Fail(UpstreamOutcome.Failed failure) implements Decision {
        }
    }

    /**
     * What the session has emitted so far, which decides whether a failover can continue the text.
     *
     * @param hasOutput any output item was emitted
     * @param continuable a text item is open and no function call was started
     */
    record Output(boolean hasOutput, boolean continuable) {
    }

    private final List<Route.Target> targets;
    private final DoubleSupplier jitter;
    private int index = -1;
    private int retries;
    private boolean prefill;
    private boolean inFlight;
    private UpstreamOutcome.Failed lastFailure;

    ResponseAttempts(List<Route.Target> targets, DoubleSupplier jitter) {
        this.targets = List.copyOf(targets);
        this.jitter = jitter;
    }

    /** Chooses the first target whose circuit admits requests; empty when every circuit is open. */
    OptionalInt first() {
        OptionalInt first = available(0);
        first.ifPresent(i -> index = i);
        return first;
    }

    /** The first target from {@code from} on whose circuit admits requests, if any. */
    private OptionalInt available(int from) {
        for (int i = from; i < targets.size(); i++) {
            if (targets.get(i).provider().breaker().allowsRequest()) {
                return OptionalInt.of(i);
            }
        }
        return OptionalInt.empty();
    }

    /** The failure of a response no target can serve (every circuit open). */
    UpstreamOutcome.Failed circuitOpen() {
        String provider = targets.get(Math.max(index, 0)).provider().name();
        return new UpstreamOutcome.Failed(CloseReason.UPSTREAM_UNAVAILABLE, "provider " + provider
                + " is failing (circuit open) and the route has no other available target", Optional.empty());
    }

    /** The current target. */
    Route.Target target() {
        return targets.get(index);
    }

    /** The current target, or empty when none was chosen (every circuit was open). */
    Optional<Route.Target> current() {
        return index < 0 ? Optional.empty() : Optional.of(targets.get(index));
    }

    /** Whether the current attempt continues the interrupted text (assistant prefill). */
    boolean prefill() {
        return prefill;
    }

    /**
     * Takes the current target's breaker admission for a new attempt: {@link Decision.Attempt} when admitted, else
     * the failover (or failure) an open circuit leads to.
     */
    Decision start(Output output) {
        if (!target().provider().breaker().tryAcquire()) {
            return nextTarget(lastFailure != null ? lastFailure : circuitOpen(), output);
        }
        inFlight = true;
        return new Decision.Attempt(target(), prefill);
    }

    /** A scheduled retry is due: a new attempt on the same target. */
    Decision retryDue(Output output) {
        return start(output);
    }

    /** The attempt completed. */
    void onCompleted() {
        inFlight = false;
        target().provider().breaker().onSuccess();
    }

    /** The attempt was cancelled by its upstream (the broker asked): says nothing about the provider. */
    void onCancelled() {
        release();
    }

    /**
     * The response stops while an attempt may still run (cancelled by the client, the session ended): its terminal
     * event will be dropped on arrival, so its breaker admission is released here, as neutral. Otherwise a
     * cancelled half-open probe would stay "in flight" forever and the provider would never be tried again.
     */
    void release() {
        if (inFlight) {
            inFlight = false;
            target().provider().breaker().onNeutral();
        }
    }

    /** The attempt failed: retry, fail over or fail, as the provider's {@link RetryPolicy} decides. */
    Decision onFailed(UpstreamOutcome.Failed failed, Output output) {
        inFlight = false;
        Provider provider = target().provider();
        if (RetryPolicy.countsAgainstProvider(failed.reason())) {
            provider.breaker().onFailure(failed.reason().errorCode() + ": " + failed.message());
        } else {
            provider.breaker().onNeutral();
        }
        lastFailure = failed;
        if (prefill && failed.reason() == CloseReason.UPSTREAM_REJECTED) {
            // The target refused the continuation (no assistant prefill): restart the answer cleanly on it.
            return moveTo(index, failed, output);
        }
        RetryPolicy.Decision decision = provider.retry().decide(failed.reason(), failed.retryAfter(),
                output.hasOutput(), retries, jitter);
        if (decision instanceof RetryPolicy.Decision.RetrySame retry) {
            retries++;
            return new Decision.Retry(retry.delay(), provider.name());
        }
        if (decision instanceof RetryPolicy.Decision.NextTarget) {
            return nextTarget(failed, output);
        }
        return new Decision.Fail(failed);
    }

    /**
     * The node that ran this response was lost and this one takes it over (issue 17): the first target whose circuit
     * admits requests goes on, continuing the text by prefill where it can (even on the same target: the lost
     * attempt ended with the node, not with the provider), else restarting it.
     */
    Decision takeOver(Output output) {
        OptionalInt first = available(0);
        if (first.isEmpty()) {
            return new Decision.Fail(circuitOpen());
        }
        index = first.getAsInt();
        retries = 0;
        prefill = target().provider().bridged().prefill() && output.continuable();
        return new Decision.FailOver(target(), target(), prefill, new UpstreamOutcome.Failed(
                CloseReason.UPSTREAM_STREAM_BROKEN, "the broker node serving this response was lost",
                Optional.empty()));
    }

    /** The next target whose circuit admits requests, or failure when none is left. */
    private Decision nextTarget(UpstreamOutcome.Failed failed, Output output) {
        OptionalInt next = available(index + 1);
        return next.isPresent() ? moveTo(next.getAsInt(), failed, output) : new Decision.Fail(failed);
    }

    /**
     * Moves to target {@code next} (possibly the same one, restarting). With text already sent, a prefill-capable
     * other target continues it; otherwise the answer restarts.
     */
    private Decision moveTo(int next, UpstreamOutcome.Failed failed, Output output) {
        Route.Target from = target();
        boolean sameTarget = next == index;
        index = next;
        retries = 0;
        prefill = !sameTarget && target().provider().bridged().prefill() && output.continuable();
        return new Decision.FailOver(from, target(), prefill, failed);
    }
}
