package dev.switchboard.broker.audit;

import dev.switchboard.broker.admission.Admission;
import dev.switchboard.broker.admission.Refusal;
import dev.switchboard.broker.config.Guardrails;
import dev.switchboard.broker.session.ResponseHooks;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.Function;

/**
 * Records the sessions and responses that the composed hooks decided about: a decorator around them, so it sees
 * their final verdict. While the log {@linkplain AuditLog#refusing() refuses}, a requested response is denied
 * ({@code audit_unavailable}) before the inner hooks are asked, so they reserve nothing for it. Every other call is
 * passed on unchanged. Threading as {@link ResponseHooks}: it only builds entries and queues them.
 */
final class AuditHooks implements ResponseHooks {
    private final ResponseHooks inner;
    private final AuditLog log;
    private final Supplier<Map<String, Guardrails.Price>> prices;
    private final Function<String, String> policyVersion;

    AuditHooks(ResponseHooks inner, AuditLog log, Supplier<Map<String, Guardrails.Price>> prices,
               Function<String, String> policyVersion) {
        this.inner = inner;
        this.log = log;
        this.prices = prices;
        this.policyVersion = policyVersion;
    }

    private AuditEntry.Builder entry(String event, SessionInfo session) {
        return AuditEntry.at(log.clock().instant(), event).who(session.tenantId(), session.keyId())
                .session(session.sessionId()).policyVersion(policyVersion.apply(session.tenantId()));
    }

    @Override
    public void onSessionOpened(SessionInfo session) {
        inner.onSessionOpened(session);
        log.record(entry("session opened", session).decision("allow", "").with("model", session.model())
                .with("transport", transport(session)).build());
    }

    @Override
    public Verdict onResponseRequested(ResponseRequest request) {
        Verdict verdict = log.refusing()
                ? new Verdict.Deny(Admission.Refused.of(Refusal.AUDIT_UNAVAILABLE,
                        "audit records cannot be written; retry shortly"))
                : inner.onResponseRequested(request);
        if (verdict instanceof Verdict.Pending pending) {
            // Recorded when decided, on whatever thread decides (record only queues): the final verdict.
            return new Verdict.Pending(pending.verdict().thenApply(decided -> recorded(request, decided)));
        }
        return recorded(request, verdict);
    }

    private Verdict recorded(ResponseRequest request, Verdict verdict) {
        AuditEntry.Builder entry = entry(verdict instanceof Verdict.Deny ? "response refused" : "response started",
                request.response().session()).response(request.response().responseId());
        if (verdict instanceof Verdict.Deny deny) {
            entry.decision("deny", deny.refusal().refusal().code());
        } else if (verdict instanceof Verdict.Modify modify) {
            entry.decision("modify", "max_output_tokens").with("max_output_tokens", modify.maxOutputTokens()
                    .isPresent() ? Long.toString(modify.maxOutputTokens().getAsInt()) : "inf");
        } else {
            entry.decision("allow", "");
        }
        entry.with("provider", request.provider()).with("upstream_model", request.upstreamModel())
                .with("estimated_input_tokens", request.estimatedInputTokens());
        request.maxOutputTokens().ifPresent(max -> entry.with("requested_max_output_tokens", max));
        log.record(entry.build());
        return verdict;
    }

    @Override
    public DeltaVerdict onOutputDelta(ResponseInfo response, DeltaKind kind, String text, int audioBytes) {
        return inner.onOutputDelta(response, kind, text, audioBytes);
    }

    @Override
    public void onResponseEnded(ResponseRecord record) {
        inner.onResponseEnded(record);
        log.record(usage(entry("response ended", record.response().session()), record).build());
    }

    @Override
    public void onUsageAfterCut(ResponseRecord record) {
        inner.onUsageAfterCut(record);
        log.record(usage(entry("response usage after cut", record.response().session()), record).build());
    }

    @Override
    public void onSessionClosed(SessionInfo session, String reason) {
        inner.onSessionClosed(session, reason);
        log.record(entry("session closed", session).decision("", reason).build());
    }

    private AuditEntry.Builder usage(AuditEntry.Builder entry, ResponseRecord r) {
        entry.response(r.response().responseId()).decision("", r.reason()).with("status", r.status())
                .with("input_tokens", r.inputTokens()).with("output_tokens", r.outputTokens())
                .with("cached_tokens", r.cachedTokens()).with("audio_input_tokens", r.audioInputTokens())
                .with("audio_output_tokens", r.audioOutputTokens()).with("provider", r.provider())
                .with("model", r.model()).with("failovers", r.failovers())
                .with("duration_ms", r.duration().toMillis());
        r.timeToFirstToken().ifPresent(ttft -> entry.with("time_to_first_token_ms", ttft.toMillis()));
        Guardrails.Price price = prices.get().get(r.response().session().model());
        if (price != null) {
            entry.with("cost_usd", cost(price, r));
        }
        return entry;
    }

    /** US dollars, from the client-facing model's prices per million tokens (as cost budgets charge). */
    static double cost(Guardrails.Price price, ResponseRecord r) {
        return price.microUsd(r.inputTokens(), r.cachedTokens(), r.audioInputTokens(), r.outputTokens(),
                r.audioOutputTokens()) / 1_000_000;
    }

    private static String transport(SessionInfo session) {
        return session.transport().name().toLowerCase(java.util.Locale.ROOT);
    }
}
