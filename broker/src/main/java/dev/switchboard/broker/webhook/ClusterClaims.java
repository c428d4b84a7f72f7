package dev.switchboard.broker.webhook;

import dev.switchboard.broker.cluster.ClusterLink;
import io.lettuce.core.SetArgs;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Claims events in Redis so that each is announced by one node of the cluster: {@code SET sb:w:<event> <node> NX PX
 * <window>}; the node whose {@code SET} succeeds sends it. Never waits: the claim completes on Lettuce's event loop
 * (or at once, failed, while Redis is unreachable: the link rejects commands while disconnected). Thread-safe.
 */
final class ClusterClaims {
    /** A claim's outcome (and the {@code outcome} tag of {@code broker.webhooks.cluster.claims}). */
    enum Outcome {
        /** This node claimed it: it announces the event. */
        CLAIMED("claimed"),
        /** Another node claimed it first: this node does not announce it. */
        DUPLICATE("duplicate"),
        /** Redis did not answer: this node announces it anyway (at least once; receivers dedupe by webhook-id). */
        UNREACHABLE("unreachable");

        final String word;

        Outcome(String word) {
            this.word = word;
        }

        /** Whether this node sends the event's messages. */
        boolean sends() {
            return this != DUPLICATE;
        }
    }

    private final ClusterLink link;

    ClusterClaims(ClusterLink link) {
        this.link = link;
    }

    /** Claims {@code event} for this node; completes with the outcome, never exceptionally. */
    CompletionStage<Outcome> claim(Dedupe event) {
        try {
            return link.redis().set(ClusterLink.PREFIX + "w:" + event.key(), link.nodeId(),
                    SetArgs.Builder.nx().px(event.window().toMillis()))
                    .handle((ok, failure) -> failure != null ? Outcome.UNREACHABLE
                            : "OK".equals(ok) ? Outcome.CLAIMED : Outcome.DUPLICATE);
        } catch (RuntimeException e) {
            // A closed connection may refuse the command on this thread instead of failing its future.
            return CompletableFuture.completedFuture(Outcome.UNREACHABLE);
        }
    }
}
