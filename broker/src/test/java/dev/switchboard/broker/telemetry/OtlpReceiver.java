package dev.switchboard.broker.telemetry;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * A real OTLP/HTTP trace receiver on a loopback port: {@code POST /v1/traces} with a protobuf
 * {@code ExportTraceServiceRequest}, decoded with the OpenTelemetry protocol classes; every span is kept, with its
 * resource's attributes. Thread-safe.
 */
final class OtlpReceiver implements AutoCloseable {
    /** One received span, its ids in lower-case hex (empty when absent). */
    record ReceivedSpan(String traceId, String spanId, String parentSpanId, String name, Span.SpanKind kind,
                        Map<String, Object> attributes, List<ReceivedEvent> events, boolean error,
                        Map<String, Object> resource) {
        Object attribute(String key) {
            return attributes.get(key);
        }
    }

    /** One span event. */
    record ReceivedEvent(String name, Map<String, Object> attributes) {
    }

    private final Server server = new Server();
    private final ServerConnector connector = new ServerConnector(server);
    private final ConcurrentLinkedQueue<ReceivedSpan> spans = new ConcurrentLinkedQueue<>();
    private final AtomicInteger requests = new AtomicInteger();

    OtlpReceiver() throws Exception {
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                if (!"POST".equals(request.getMethod()) || !"/v1/traces".equals(request.getHttpURI().getPath())) {
                    response.setStatus(404);
                    callback.succeeded();
                    return true;
                }
                requests.incrementAndGet();
                ExportTraceServiceRequest export = ExportTraceServiceRequest.parseFrom(
                        Content.Source.asInputStream(request));
                export.getResourceSpansList().forEach(OtlpReceiver.this::keep);
                response.setStatus(200);
                response.getHeaders().put("Content-Type", "application/x-protobuf");
                response.write(true, ByteBuffer.wrap(ExportTraceServiceResponse.getDefaultInstance().toByteArray()),
                        callback);
                return true;
            }
        });
        server.start();
    }

    private void keep(ResourceSpans resourceSpans) {
        Map<String, Object> resource = attributes(resourceSpans.getResource());
        for (ScopeSpans scope : resourceSpans.getScopeSpansList()) {
            for (Span span : scope.getSpansList()) {
                spans.add(new ReceivedSpan(hex(span.getTraceId()), hex(span.getSpanId()), hex(span.getParentSpanId()),
                        span.getName(), span.getKind(), attributes(span.getAttributesList()),
                        span.getEventsList().stream().map(e -> new ReceivedEvent(e.getName(),
                                attributes(e.getAttributesList()))).toList(),
                        span.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR,
                        resource));
            }
        }
    }

    private static Map<String, Object> attributes(Resource resource) {
        return attributes(resource.getAttributesList());
    }

    private static Map<String, Object> attributes(List<KeyValue> values) {
        Map<String, Object> map = new LinkedHashMap<>();
        values.forEach(kv -> map.put(kv.getKey(), value(kv.getValue())));
        return map;
    }

    private static Object value(AnyValue value) {
        return switch (value.getValueCase()) {
            case STRING_VALUE -> value.getStringValue();
            case INT_VALUE -> value.getIntValue();
            case BOOL_VALUE -> value.getBoolValue();
            case DOUBLE_VALUE -> value.getDoubleValue();
            case ARRAY_VALUE -> value.getArrayValue().getValuesList().stream().map(OtlpReceiver::value).toList();
            default -> value.toString();
        };
    }

    private static String hex(ByteString bytes) {
        return HexFormat.of().formatHex(bytes.toByteArray());
    }

    /** The base URL to configure as {@code telemetry.otlp.endpoint}. */
    URI endpoint() {
        return URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    /** Every span received so far. */
    List<ReceivedSpan> spans() {
        return List.copyOf(spans);
    }

    /** The first span received that matches, if any. */
    Optional<ReceivedSpan> find(Predicate<ReceivedSpan> match) {
        return spans.stream().filter(match).findFirst();
    }

    /** Export requests received. */
    int requests() {
        return requests.get();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
