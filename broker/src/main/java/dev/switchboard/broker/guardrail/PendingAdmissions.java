package dev.switchboard.broker.guardrail;

import dev.switchboard.broker.session.ResponseHooks.Verdict;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Admissions decided on a remote store's executor ({@link UsageStore#waitingCalls()}) while the session's shard
 * thread goes on: at most one per session, keyed by session id.
 *
 * <p>The race it settles: a session may give up a response that is still admitting (a cancel, the session ending)
 * while the executor is reserving slots and rates for it. Each admission holds its flight until it is settled; the
 * executor thread {@linkplain Admission#settle settles} it (registers the flight) unless the shard thread has
 * {@linkplain #abandon abandoned} it first, in which case the executor gives the reservation back itself. Both sides
 * decide under the admission's own monitor, held for a few instructions, so exactly one of them owns the flight.
 */
final class PendingAdmissions {
    private final ConcurrentHashMap<String, Admission> admitting = new ConcurrentHashMap<>();

    /** One admission in progress. */
    final class Admission {
        private final String sessionId;
        private @Nullable Flight flight;
        private boolean abandoned;
        private boolean settled;

        private Admission(String sessionId) {
            this.sessionId = sessionId;
        }

        /** The flight the decision registered (executor thread, before {@link #settle}). */
        void hold(Flight held) {
            flight = held;
        }

        /**
         * Executor thread, once decided: hands the flight to {@code register} (the shard thread finds it there),
         * or, when the session gave the response up meanwhile, to {@code giveBack}.
         */
        void settle(Consumer<Flight> register, Consumer<Flight> giveBack) {
            Flight mine;
            synchronized (this) {
                settled = true;
                mine = flight;
                if (!abandoned && mine != null) {
                    register.accept(mine);
                    mine = null;
                }
            }
            admitting.remove(sessionId, this);
            if (mine != null) {
                giveBack.accept(mine);
            }
        }

        /** Shard thread: the response is given up; whether the executor will give its reservation back. */
        private synchronized boolean abandon() {
            if (settled) {
                return false;
            }
            abandoned = true;
            return true;
        }
    }

    /**
     * Decides {@code decide} for session {@code sessionId} on {@code executor}; the stage completes with its
     * verdict once the admission is settled. Throws {@link java.util.concurrent.RejectedExecutionException} when
     * the executor refuses (nothing is then pending).
     */
    CompletableFuture<Verdict> start(String sessionId, Executor executor, Function<Admission, Verdict> decide,
                                     Consumer<Flight> register, Consumer<Flight> giveBack) {
        Admission admission = new Admission(sessionId);
        admitting.put(sessionId, admission);
        try {
            return CompletableFuture.supplyAsync(() -> {
                Verdict verdict = decide.apply(admission);
                admission.settle(register, giveBack);
                return verdict;
            }, executor);
        } catch (RuntimeException e) {
            admitting.remove(sessionId, admission);
            throw e;
        }
    }

    /**
     * Shard thread: the session's pending admission, if any, is given up (its response ended or the session
     * closed). After this, a flight of the session is either in the guardrails' map already or will be given back
     * by the executor.
     */
    void abandon(String sessionId) {
        if (admitting.isEmpty()) {
            return;
        }
        Admission admission = admitting.remove(sessionId);
        if (admission != null) {
            admission.abandon();
        }
    }
}
