package dev.switchboard.broker.usage;

import dev.switchboard.broker.session.ResponseHooks;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts in the ledger what the decorated hooks decided and what ended; every call is passed on unchanged.
 * Threading as {@link ResponseHooks}: shard threads, no blocking, a few atomic additions per response.
 *
 * <ul>
 *   <li>A {@code Deny} (the final verdict: this decorator is outermost) is one refusal.</li>
 *   <li>An ended response is one request with the tokens of its record, on the day it ended. A response the broker
 *       cut ends with its own count (for a relayed one: none, its {@code response.done} carries no usage); the
 *       provider's count that arrives after the cut ({@link #onUsageAfterCut}) is added to the same row without a
 *       second request. So each token the provider reported for a response is counted exactly once.</li>
 *   <li>A response a relayed provider started by itself and the hooks refused is a refusal, not a request, though its
 *       tokens (the provider spent them) are counted when they are reported.</li>
 * </ul>
 */
final class UsageHooks implements ResponseHooks {
    private final ResponseHooks inner;
    private final UsageLedger ledger;
    /** Provider-started relayed responses that were refused; their end is not a request. Rare. */
    private final ConcurrentHashMap<String, Boolean> refusedStarted = new ConcurrentHashMap<>();

    UsageHooks(ResponseHooks inner, UsageLedger ledger) {
        this.inner = inner;
        this.ledger = ledger;
    }

    @Override
    public boolean readsContent() {
        return inner.readsContent();
    }

    @Override
    public void onSessionOpened(SessionInfo session) {
        ledger.opened(session);
        inner.onSessionOpened(session);
    }

    @Override
    public Verdict onResponseRequested(ResponseRequest request) {
        Verdict verdict = inner.onResponseRequested(request);
        if (verdict instanceof Verdict.Pending pending) {
            // Counted when decided, on whatever thread decides (the ledger is thread-safe and does not block).
            return new Verdict.Pending(pending.verdict().thenApply(decided -> counted(request, decided)));
        }
        return counted(request, verdict);
    }

    private Verdict counted(ResponseRequest request, Verdict verdict) {
        if (verdict instanceof Verdict.Deny) {
            SessionInfo session = request.response().session();
            ledger.refused(session.tenantId(), session.keyId(), session.model(), request.at());
            if (session.transport() == Transport.RELAY && !request.response().responseId().isEmpty()) {
                // Only a response the provider already started has an id here; it is cut and ends next.
                refusedStarted.put(request.response().responseId(), Boolean.TRUE);
            }
        }
        return verdict;
    }

    @Override
    public DeltaVerdict onOutputDelta(ResponseInfo response, DeltaKind kind, String text, int audioBytes) {
        return inner.onOutputDelta(response, kind, text, audioBytes);
    }

    @Override
    public void onResponseEnded(ResponseRecord record) {
        inner.onResponseEnded(record);
        boolean refused = !refusedStarted.isEmpty() && refusedStarted.remove(record.response().responseId()) != null;
        ledger.count(record, !refused);
    }

    @Override
    public void onUsageAfterCut(ResponseRecord record) {
        inner.onUsageAfterCut(record);
        ledger.count(record, false);
    }

    @Override
    public void onSessionClosed(SessionInfo session, String reason) {
        inner.onSessionClosed(session, reason);
        ledger.closed(session);
    }
}
