package dev.switchboard.broker.telemetry;

import dev.switchboard.broker.session.ResponseTrace;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import java.util.Map;

/** A relayed session's provider connection as a client span. Shard thread only (see the package). */
final class ConnectionTrace implements ResponseTrace.Connection {
    private final Span span;
    private boolean ended;

    ConnectionTrace(Span span) {
        this.span = span;
    }

    @Override
    public Map<String, String> headers() {
        return Tracing.headersOf(span);
    }

    @Override
    public void opened() {
        if (!ended) {
            ended = true;
            span.end();
        }
    }

    @Override
    public void failed(String errorCode) {
        if (!ended) {
            ended = true;
            span.setAttribute(Tracing.ERROR_TYPE, errorCode);
            span.setStatus(StatusCode.ERROR, errorCode);
            span.end();
        }
    }
}
