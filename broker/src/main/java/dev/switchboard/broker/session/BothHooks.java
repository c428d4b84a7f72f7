package dev.switchboard.broker.session;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/** Two sets of hooks called in order; see {@link ResponseHooks#both}. Stateless beyond its two hooks. */
final class BothHooks implements ResponseHooks {
    private final ResponseHooks first;
    private final ResponseHooks second;

    BothHooks(ResponseHooks first, ResponseHooks second) {
        this.first = first;
        this.second = second;
    }

    @Override
    public boolean readsContent() {
        return first.readsContent() || second.readsContent();
    }

    @Override
    public void onSessionOpened(SessionInfo session) {
        first.onSessionOpened(session);
        second.onSessionOpened(session);
    }

    @Override
    public Verdict onResponseRequested(ResponseRequest request) {
        Verdict a = first.onResponseRequested(request);
        if (a instanceof Verdict.Deny) {
            return a;
        }
        // A pending first verdict cannot wait for the second to be asked (hooks run on the shard thread only), so
        // both are asked now and combined once both are known; a later Deny of the first still wins.
        Verdict b = second.onResponseRequested(request);
        if (a instanceof Verdict.Pending || b instanceof Verdict.Pending) {
            return new Verdict.Pending(stage(a).thenCombine(stage(b), BothHooks::combine));
        }
        return combine(a, b);
    }

    private static java.util.concurrent.CompletionStage<Verdict> stage(Verdict verdict) {
        return verdict instanceof Verdict.Pending pending ? pending.verdict()
                : java.util.concurrent.CompletableFuture.completedFuture(verdict);
    }

    /** Two final verdicts as one: a Deny wins (the first's when both deny), else the smaller cap. */
    private static Verdict combine(Verdict a, Verdict b) {
        if (a instanceof Verdict.Deny) {
            return a;
        }
        List<RateLimit> limits = new ArrayList<>(a.rateLimits());
        limits.addAll(b.rateLimits());
        if (b instanceof Verdict.Deny deny) {
            return new Verdict.Deny(deny.refusal(), limits);
        }
        OptionalInt cap = smaller(a, b);
        return cap == null ? new Verdict.Allow(limits) : new Verdict.Modify(cap, limits);
    }

    /** The smaller cap of two non-deny verdicts; null when neither modifies. Empty means no cap at all. */
    private static OptionalInt smaller(Verdict a, Verdict b) {
        OptionalInt x = a instanceof Verdict.Modify m ? m.maxOutputTokens() : null;
        OptionalInt y = b instanceof Verdict.Modify m ? m.maxOutputTokens() : null;
        if (x == null || y == null) {
            return x == null ? y : x;
        }
        if (x.isEmpty() || y.isEmpty()) {
            return x.isEmpty() ? y : x;
        }
        return OptionalInt.of(Math.min(x.getAsInt(), y.getAsInt()));
    }

    @Override
    public DeltaVerdict onOutputDelta(ResponseInfo response, DeltaKind kind, String text, int audioBytes) {
        DeltaVerdict a = first.onOutputDelta(response, kind, text, audioBytes);
        DeltaVerdict b = second.onOutputDelta(response, kind, text, audioBytes);
        return a == DeltaVerdict.CONTINUE ? b : a;
    }

    @Override
    public void onResponseEnded(ResponseRecord record) {
        first.onResponseEnded(record);
        second.onResponseEnded(record);
    }

    @Override
    public void onUsageAfterCut(ResponseRecord record) {
        first.onUsageAfterCut(record);
        second.onUsageAfterCut(record);
    }

    @Override
    public void onSessionClosed(SessionInfo session, String reason) {
        first.onSessionClosed(session, reason);
        second.onSessionClosed(session, reason);
    }
}
