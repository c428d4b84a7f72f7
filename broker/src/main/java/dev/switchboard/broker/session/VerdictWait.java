package dev.switchboard.broker.session;

import dev.switchboard.broker.admission.Admission;
import dev.switchboard.broker.admission.Refusal;
import dev.switchboard.protocol.codec.ClientDecoding;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * How a session waits for a {@link ResponseHooks.Verdict.Pending} without waiting: the verdict is published back
 * into the session's ring as a {@link SessionSignal.VerdictDue} naming what it decides ({@link #deliver}); and, for
 * a relay, the client {@code response.create} held until then with the client frames that came after it, so the
 * provider still sees them in the client's order ({@link Held}). Shard thread, except {@link #deliver}'s callback.
 */
final class VerdictWait {
    /** What a pending verdict that failed stands for (a hook's bug: its stage must complete normally). */
    static final ResponseHooks.Verdict UNDECIDED = new ResponseHooks.Verdict.Deny(Admission.Refused.of(
            Refusal.GUARDRAIL_UNAVAILABLE, "usage limits cannot be checked right now; please retry shortly"));
    /** The most client frames a relay holds behind a pending {@code response.create}. */
    static final int MAX_HELD_FRAMES = 256;

    private VerdictWait() {
    }

    /** Publishes {@code pending}'s verdict, once it arrives (any thread), as a signal for {@code ticket}. */
    static void deliver(ResponseHooks.Verdict.Pending pending, String ticket, Consumer<SessionSignal> publish) {
        pending.verdict().whenComplete((decided, failure) -> publish.accept(new SessionSignal.VerdictDue(ticket,
                decided != null ? decided : UNDECIDED)));
    }

    /** A relayed {@code response.create} waiting for its verdict, and the client frames that followed it. */
    static final class Held {
        final String ticket = Ids.next("admit_");
        final ClientDecoding.Raw create;
        final String text;
        final long receivedNanos;
        final List<ClientDecoding.Raw> after = new ArrayList<>();
        final List<Long> afterNanos = new ArrayList<>();

        Held(ClientDecoding.Raw create, String text, long receivedNanos) {
            this.create = create;
            this.text = text;
            this.receivedNanos = receivedNanos;
        }

        /** Holds {@code frame} behind the create; false when too many are held already. */
        boolean hold(ClientDecoding.Raw frame, long nanos) {
            if (after.size() >= MAX_HELD_FRAMES) {
                return false;
            }
            after.add(frame);
            afterNanos.add(nanos);
            return true;
        }
    }
}
