package dev.switchboard.broker.telemetry;

import dev.switchboard.broker.config.Telemetry;
import dev.switchboard.broker.session.ResponseHooks;
import dev.switchboard.broker.session.ResponseTrace;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Traces responses with the OpenTelemetry SDK and exports them to an OTLP/HTTP collector. Created by
 * {@link #start} only when the configuration names an endpoint; {@link #close()} exports what is still queued
 * (waiting at most 5 s) and stops the exporter's thread. Thread-safe; see the package documentation.
 *
 * <p>The client's {@code traceparent} is parsed once per response (a few string checks) and continued: the
 * response's server span becomes its child. An invalid one is ignored and the response starts a new trace.
 */
public final class Tracing implements ResponseTrace.Factory, AutoCloseable {
    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
    static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("gen_ai.provider.name");
    static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
    static final AttributeKey<String> RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
    static final AttributeKey<String> RESPONSE_ID = AttributeKey.stringKey("gen_ai.response.id");
    static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
    static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
    static final AttributeKey<List<String>> FINISH_REASONS =
            AttributeKey.stringArrayKey("gen_ai.response.finish_reasons");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    static final AttributeKey<String> TENANT = AttributeKey.stringKey("switchboard.tenant");
    static final AttributeKey<String> KEY_ID = AttributeKey.stringKey("switchboard.key_id");
    static final AttributeKey<String> SESSION = AttributeKey.stringKey("switchboard.session.id");
    static final AttributeKey<String> TRANSPORT = AttributeKey.stringKey("switchboard.transport");
    static final AttributeKey<String> STATUS = AttributeKey.stringKey("switchboard.response.status");
    static final AttributeKey<Long> FAILOVERS = AttributeKey.longKey("switchboard.failovers");
    static final AttributeKey<Long> TTFT_MS = AttributeKey.longKey("switchboard.time_to_first_token_ms");
    static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("switchboard.attempt");

    private static final TextMapGetter<String> TRACE_PARENT = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return List.of("traceparent");
        }

        @Override
        public @Nullable String get(@Nullable String carrier, String key) {
            return "traceparent".equals(key) ? carrier : null;
        }
    };

    private final SdkTracerProvider provider;
    private final Tracer tracer;

    Tracing(SpanExporter exporter, String serviceName, Duration exportInterval, double sampleRatio) {
        this.provider = SdkTracerProvider.builder()
                // A client's traceparent decides for its responses; the rest are sampled at the configured ratio.
                // An unsampled response gets a non-recording span: its attributes and events cost nothing.
                .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(sampleRatio)))
                .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
                        AttributeKey.stringKey("service.name"), serviceName))))
                .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(exportInterval).build())
                .build();
        this.tracer = provider.get("dev.switchboard.broker");
    }

    /** Tracing as {@code config} says: empty when it names no OTLP endpoint (nothing is created, no thread). */
    public static Optional<Tracing> start(Telemetry config) {
        return config.otlp().map(otlp -> new Tracing(OtlpHttpSpanExporter.builder()
                .setEndpoint(otlp.tracesUrl().toString()).build(), config.serviceName(), otlp.exportInterval(),
                config.sampleRatio()));
    }

    @Override
    public ResponseTrace response(ResponseHooks.ResponseInfo response, String clientTraceParent, String operation,
                                  String requestModel, long startNanos) {
        ResponseHooks.SessionInfo session = response.session();
        Span server = tracer.spanBuilder(operation + " " + requestModel)
                .setParent(parent(clientTraceParent))
                .setSpanKind(SpanKind.SERVER)
                .setStartTimestamp(epochNanos(startNanos), TimeUnit.NANOSECONDS)
                .setAttribute(OPERATION, operation)
                .setAttribute(REQUEST_MODEL, requestModel)
                .setAttribute(TENANT, session.tenantId())
                .setAttribute(KEY_ID, session.keyId())
                .setAttribute(SESSION, session.sessionId())
                .setAttribute(TRANSPORT, session.transport().name().toLowerCase(java.util.Locale.ROOT))
                .startSpan();
        if (!response.responseId().isEmpty()) {
            server.setAttribute(RESPONSE_ID, response.responseId());
        }
        return new SpanTrace(tracer, server, operation);
    }

    @Override
    public ResponseTrace.Connection connection(ResponseHooks.SessionInfo session, String clientTraceParent,
                                               String provider, String upstreamModel) {
        Span span = tracer.spanBuilder("connect " + upstreamModel)
                .setParent(parent(clientTraceParent))
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute(OPERATION, "realtime")
                .setAttribute(PROVIDER, provider)
                .setAttribute(REQUEST_MODEL, upstreamModel)
                .setAttribute(TENANT, session.tenantId())
                .setAttribute(SESSION, session.sessionId())
                .startSpan();
        return new ConnectionTrace(span);
    }

    /** The context a client's {@code traceparent} names, or the root context when there is none or it is invalid. */
    static Context parent(String clientTraceParent) {
        if (clientTraceParent.isEmpty()) {
            return Context.root();
        }
        return W3CTraceContextPropagator.getInstance().extract(Context.root(), clientTraceParent, TRACE_PARENT);
    }

    /** The headers that carry {@code span}'s context to a provider: its W3C {@code traceparent}. */
    static Map<String, String> headersOf(Span span) {
        Map<String, String> headers = new HashMap<>(2);
        W3CTraceContextPropagator.getInstance().inject(Context.root().with(span), headers, Map::put);
        return headers;
    }

    /** An instant on the monotonic clock as nanoseconds since the epoch, for a span that started earlier. */
    private static long epochNanos(long nanoTime) {
        long ago = Math.max(0, System.nanoTime() - nanoTime);
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano() - ago;
    }

    /** Exports what is queued (at most 5 s) and stops the exporter. Idempotent. */
    @Override
    public void close() {
        provider.shutdown().join(5, TimeUnit.SECONDS);
    }
}
