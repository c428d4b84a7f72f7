package dev.switchboard.broker.telemetry;

import dev.switchboard.broker.logging.LogSetup;
import dev.switchboard.broker.session.ResponseHooks;
import dev.switchboard.broker.session.ResponseTrace;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One response's spans: the server span, and the client span of the attempt in progress (a child of it). Events
 * go on the server span. Confined to the session's shard thread (see the package).
 */
final class SpanTrace implements ResponseTrace {
    private final Tracer tracer;
    private final Span server;
    private final Context serverContext;
    private final String operation;
    private @Nullable Span attempt;
    private long attempts;

    SpanTrace(Tracer tracer, Span server, String operation) {
        this.tracer = tracer;
        this.server = server;
        this.serverContext = Context.root().with(server);
        this.operation = operation;
    }

    @Override
    public Map<String, String> attemptStarted(String provider, String upstreamModel) {
        endAttempt();
        attempts++;
        Span span = tracer.spanBuilder(operation + " " + upstreamModel)
                .setParent(serverContext)
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute(Tracing.OPERATION, operation)
                .setAttribute(Tracing.PROVIDER, provider)
                .setAttribute(Tracing.REQUEST_MODEL, upstreamModel)
                .setAttribute(Tracing.ATTEMPT, attempts)
                .startSpan();
        attempt = span;
        server.setAttribute(Tracing.PROVIDER, provider);
        return Tracing.headersOf(span);
    }

    @Override
    public void attemptCompleted(String finishReason, String responseModel, long inputTokens, long outputTokens) {
        Span span = attempt;
        if (span == null) {
            return;
        }
        if (!responseModel.isEmpty()) {
            span.setAttribute(Tracing.RESPONSE_MODEL, responseModel);
        }
        span.setAttribute(Tracing.INPUT_TOKENS, inputTokens);
        span.setAttribute(Tracing.OUTPUT_TOKENS, outputTokens);
        span.setAttribute(Tracing.FINISH_REASONS, List.of(finishReason));
        endAttempt();
    }

    @Override
    public void attemptFailed(String errorCode) {
        Span span = attempt;
        if (span == null) {
            return;
        }
        span.setAttribute(Tracing.ERROR_TYPE, errorCode);
        span.setStatus(StatusCode.ERROR, errorCode);
        endAttempt();
    }

    @Override
    public void retry(String provider, Duration delay) {
        server.addEvent("switchboard.retry", Attributes.of(Tracing.PROVIDER, provider,
                AttributeKey.longKey("switchboard.retry.delay_ms"), delay.toMillis()));
    }

    @Override
    public void failover(String fromProvider, String fromModel, String toProvider, String toModel, String cause,
                         String mode) {
        server.addEvent("switchboard.failover", Attributes.builder()
                .put("switchboard.failover.from_provider", fromProvider)
                .put("switchboard.failover.from_model", fromModel)
                .put("switchboard.failover.to_provider", toProvider)
                .put("switchboard.failover.to_model", toModel)
                .put("switchboard.failover.mode", mode)
                .put(Tracing.ERROR_TYPE, cause)
                .build());
    }

    @Override
    public void cut(String reason, boolean bargeIn) {
        server.addEvent(bargeIn ? "switchboard.barge_in" : "switchboard.cancel",
                Attributes.of(AttributeKey.stringKey("switchboard.reason"), reason));
    }

    @Override
    public void ended(ResponseHooks.ResponseRecord record) {
        Span span = attempt;
        if (span != null) {
            // The attempt ends with the response (a relayed response, a cancel, a cut): it shares its outcome.
            setOutcome(span, record);
            if (record.status().equals("failed")) {
                span.setStatus(StatusCode.ERROR, record.reason());
            }
            endAttempt();
        }
        setOutcome(server, record);
        server.setAttribute(Tracing.STATUS, record.status());
        server.setAttribute(Tracing.FAILOVERS, (long) record.failovers());
        record.timeToFirstToken().ifPresent(ttft -> server.setAttribute(Tracing.TTFT_MS, ttft.toMillis()));
        if (!record.response().responseId().isEmpty()) {
            server.setAttribute(Tracing.RESPONSE_ID, record.response().responseId());
        }
        if (record.status().equals("failed")) {
            server.setAttribute(Tracing.ERROR_TYPE, record.reason().isEmpty() ? "failed" : record.reason());
            server.setStatus(StatusCode.ERROR, record.reason());
        }
        server.end();
    }

    private static void setOutcome(Span span, ResponseHooks.ResponseRecord record) {
        if (!record.provider().isEmpty()) {
            span.setAttribute(Tracing.PROVIDER, record.provider());
        }
        if (!record.model().isEmpty()) {
            span.setAttribute(Tracing.RESPONSE_MODEL, record.model());
        }
        span.setAttribute(Tracing.INPUT_TOKENS, record.inputTokens());
        span.setAttribute(Tracing.OUTPUT_TOKENS, record.outputTokens());
        span.setAttribute(Tracing.FINISH_REASONS, List.of(record.reason().isEmpty() ? record.status()
                : record.reason()));
    }

    private void endAttempt() {
        Span span = attempt;
        if (span != null) {
            attempt = null;
            span.end();
        }
    }

    @Override
    public Map<String, String> logContext() {
        Span span = attempt != null ? attempt : server;
        return Map.of(LogSetup.TRACE_ID, span.getSpanContext().getTraceId(), LogSetup.SPAN_ID,
                span.getSpanContext().getSpanId());
    }
}
