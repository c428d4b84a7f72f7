package dev.switchboard.broker.telemetry;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import dev.switchboard.broker.telemetry.OtlpReceiver.ReceivedSpan;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * OpenTelemetry traces through the real broker, exported over OTLP/HTTP to a real receiver on loopback: the
 * embedded simulator answers {@code sim-*} models; two fake providers record the {@code traceparent} the broker
 * sends them. Each test that needs its spans apart sends its own client trace and looks only at that trace.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TracingTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static OtlpReceiver receiver;
    private static HeaderRecordingProviders fakes;
    private static Broker broker;
    private static WebSocketClient ws;

    @BeforeAll
    static void start() throws Exception {
        receiver = new OtlpReceiver();
        fakes = new HeaderRecordingProviders();
        BrokerConfig config = new ConfigLoader(name -> null).parse("""
                simulator: {enabled: true}
                providers:
                  recording: {kind: openai, base_url: "%s"}
                  recording-rt: {kind: openai-realtime, base_url: "%s"}
                models:
                  rec-chat: {route: [recording/fake-upstream]}
                  rec-rt: {route: [recording-rt/rt-fake]}
                tenants:
                  dev: {keys: [dev-key], models: ["*"]}
                telemetry:
                  otlp: {endpoint: "%s", export_interval: 100ms}
                  service_name: switchboard-test
                """.formatted(fakes.baseUrl(), fakes.baseUrl(), receiver.endpoint()));
        broker = Broker.start(config.withListen(new BrokerConfig.Listen("127.0.0.1", 0)));
        ws = new WebSocketClient();
        ws.setMaxTextMessageSize(64L << 20);
        ws.start();
    }

    @AfterAll
    static void stop() throws Exception {
        ws.stop();
        broker.close();
        fakes.close();
        receiver.close();
    }

    @Test
    void a_chat_completion_makes_a_server_span_and_a_client_span_per_attempt_with_the_gen_ai_attributes()
            throws Exception {
        HttpResponse<String> answer = chat("sim-chat", "");
        assertEquals(200, answer.statusCode(), answer::body);
        ReceivedSpan server = awaitSpan(s -> s.name().equals("chat sim-chat") && s.kind() == SpanKind.SPAN_KIND_SERVER
                && "http".equals(s.attribute("switchboard.transport")));
        ReceivedSpan client = awaitSpan(s -> s.parentSpanId().equals(server.spanId()));
        assertEquals("", server.parentSpanId(), "without a client traceparent the response starts a trace");
        assertEquals("chat", server.attribute("gen_ai.operation.name"));
        assertEquals("sim-chat", server.attribute("gen_ai.request.model"));
        assertEquals("simulator", server.attribute("gen_ai.provider.name"));
        assertEquals("sim-chat", server.attribute("gen_ai.response.model"));
        assertTrue((Long) server.attribute("gen_ai.usage.input_tokens") > 0, server::toString);
        assertTrue((Long) server.attribute("gen_ai.usage.output_tokens") > 0, server::toString);
        assertEquals(List.of("completed"), server.attribute("gen_ai.response.finish_reasons"));
        assertEquals("dev", server.attribute("switchboard.tenant"));
        assertTrue(((String) server.attribute("switchboard.session.id")).startsWith("sess_"), server::toString);
        assertEquals("switchboard-test", server.resource().get("service.name"));
        assertFalse(server.error());

        assertEquals(server.traceId(), client.traceId());
        assertEquals(SpanKind.SPAN_KIND_CLIENT, client.kind());
        assertEquals("chat sim-chat", client.name());
        assertEquals("simulator", client.attribute("gen_ai.provider.name"));
        assertEquals("sim-chat", client.attribute("gen_ai.request.model"));
        assertEquals("sim-chat", client.attribute("gen_ai.response.model"));
        assertEquals(List.of("stop"), client.attribute("gen_ai.response.finish_reasons"));
        assertEquals(server.attribute("gen_ai.usage.output_tokens"), client.attribute("gen_ai.usage.output_tokens"));
    }

    @Test
    void a_client_traceparent_is_continued_and_the_provider_receives_the_attempts_traceparent() throws Exception {
        Trace parent = Trace.random();
        HttpResponse<String> answer = chat("rec-chat", parent.header());
        assertEquals(200, answer.statusCode(), answer::body);
        String sent = fakes.nextChatTraceParent();
        ReceivedSpan server = awaitSpan(s -> s.traceId().equals(parent.traceId())
                && s.kind() == SpanKind.SPAN_KIND_SERVER);
        ReceivedSpan client = awaitSpan(s -> s.traceId().equals(parent.traceId())
                && s.kind() == SpanKind.SPAN_KIND_CLIENT);
        assertEquals(parent.spanId(), server.parentSpanId(), "the response span is the client span's child");
        assertEquals("chat rec-chat", server.name());
        assertEquals(server.spanId(), client.parentSpanId());
        assertEquals("chat fake-upstream", client.name());
        assertEquals("recording", client.attribute("gen_ai.provider.name"));
        assertEquals("00-" + parent.traceId() + "-" + client.spanId() + "-01", sent,
                "the provider is told the attempt's span as its parent");
    }

    @Test
    void a_realtime_response_makes_a_server_span_and_a_client_span_and_the_upgrade_carries_the_trace()
            throws Exception {
        Trace parent = Trace.random();
        try (RealtimeClient client = connect("rec-rt", parent)) {
            assertEquals("session.created", client.next().path("type").asText());
            client.send("{\"type\":\"response.create\"}");
            List<JsonNode> frames = client.until("response.done");
            assertEquals("completed", frames.get(frames.size() - 1).path("response").path("status").asText());
        }
        String upgrade = fakes.nextUpgradeTraceParent();
        ReceivedSpan server = awaitSpan(s -> s.traceId().equals(parent.traceId())
                && s.kind() == SpanKind.SPAN_KIND_SERVER);
        ReceivedSpan attempt = awaitSpan(s -> s.parentSpanId().equals(server.spanId()));
        ReceivedSpan connect = awaitSpan(s -> s.traceId().equals(parent.traceId()) && s.name().startsWith("connect"));
        assertEquals("realtime rec-rt", server.name());
        assertEquals(parent.spanId(), server.parentSpanId());
        assertEquals("realtime", server.attribute("gen_ai.operation.name"));
        assertEquals("recording-rt", server.attribute("gen_ai.provider.name"));
        assertEquals("rt-fake", server.attribute("gen_ai.response.model"));
        assertEquals(7L, server.attribute("gen_ai.usage.input_tokens"));
        assertEquals(5L, server.attribute("gen_ai.usage.output_tokens"));
        assertEquals("resp_fake1", server.attribute("gen_ai.response.id"));
        assertEquals("relay", server.attribute("switchboard.transport"));
        assertEquals(SpanKind.SPAN_KIND_CLIENT, attempt.kind());
        assertEquals("realtime rt-fake", attempt.name());
        assertEquals(5L, attempt.attribute("gen_ai.usage.output_tokens"));
        assertEquals("connect rt-fake", connect.name());
        assertEquals(parent.spanId(), connect.parentSpanId());
        assertEquals("00-" + parent.traceId() + "-" + connect.spanId() + "-01", upgrade,
                "the provider's WebSocket upgrade names the connection's span");
    }

    @Test
    void a_simulated_realtime_response_is_traced_with_its_usage() throws Exception {
        Trace parent = Trace.random();
        try (RealtimeClient client = connect("sim-realtime", parent)) {
            client.next();
            client.send(RealtimeClient.userMessage("Hello relay."));
            client.until("conversation.item.done");
            client.send(RealtimeClient.responseCreate("go", "{\"sim_tokens\":\"20\",\"sim_ttft_ms\":\"0\"}"));
            client.until("response.done");
        }
        ReceivedSpan server = awaitSpan(s -> s.traceId().equals(parent.traceId())
                && s.kind() == SpanKind.SPAN_KIND_SERVER);
        ReceivedSpan attempt = awaitSpan(s -> s.parentSpanId().equals(server.spanId()));
        assertEquals("realtime sim-realtime", server.name());
        assertEquals("simulator-realtime", server.attribute("gen_ai.provider.name"));
        assertEquals(20L, server.attribute("gen_ai.usage.output_tokens"));
        assertEquals(List.of("completed"), server.attribute("gen_ai.response.finish_reasons"));
        assertEquals("realtime sim-realtime", attempt.name());
        assertEquals(SpanKind.SPAN_KIND_CLIENT, attempt.kind());
    }

    @Test
    void a_failover_is_an_event_of_the_response_span_and_each_attempt_has_its_own_client_span() throws Exception {
        Trace parent = Trace.random();
        try (RealtimeClient client = connect("sim-failover", parent)) {
            client.next();
            client.send(RealtimeClient.userMessage("Tell me a long story."));
            client.until("conversation.item.done");
            client.send(RealtimeClient.responseCreate("go", "{\"sim_tokens\":\"80\",\"sim_ttft_ms\":\"0\"}"));
            List<JsonNode> frames = client.until("response.done");
            assertEquals("completed", frames.get(frames.size() - 1).path("response").path("status").asText());
        }
        ReceivedSpan server = awaitSpan(s -> s.traceId().equals(parent.traceId())
                && s.kind() == SpanKind.SPAN_KIND_SERVER);
        await().atMost(WAIT).until(() -> attemptsOf(server).size() == 2);
        OtlpReceiver.ReceivedEvent failover = server.events().stream()
                .filter(e -> e.name().equals("switchboard.failover")).findFirst()
                .orElseThrow(() -> new AssertionError(server.toString()));
        assertEquals("simulator-cut", failover.attributes().get("switchboard.failover.from_provider"));
        assertEquals("simulator", failover.attributes().get("switchboard.failover.to_provider"));
        assertEquals("continue", failover.attributes().get("switchboard.failover.mode"));
        assertEquals("upstream_stream_broken", failover.attributes().get("error.type"));
        assertEquals(1L, server.attribute("switchboard.failovers"));
        assertFalse(server.error(), "the response completed");
        List<ReceivedSpan> attempts = attemptsOf(server);
        ReceivedSpan cut = attempts.stream().filter(s -> s.attribute("switchboard.attempt").equals(1L)).findFirst()
                .orElseThrow();
        ReceivedSpan rescue = attempts.stream().filter(s -> s.attribute("switchboard.attempt").equals(2L)).findFirst()
                .orElseThrow();
        assertEquals("simulator-cut", cut.attribute("gen_ai.provider.name"));
        assertTrue(cut.error(), cut::toString);
        assertEquals("upstream_stream_broken", cut.attribute("error.type"));
        assertEquals("simulator", rescue.attribute("gen_ai.provider.name"));
        assertFalse(rescue.error());
    }

    @Test
    void a_cancel_is_an_event_of_the_response_span() throws Exception {
        Trace parent = Trace.random();
        try (RealtimeClient client = connect("sim-chat", parent)) {
            client.next();
            client.send(RealtimeClient.userMessage("Talk for a long time."));
            client.until("conversation.item.done");
            client.send(RealtimeClient.responseCreate("go", "{\"sim_tokens\":\"5000\",\"sim_ttft_ms\":\"0\"}"));
            client.until("response.output_text.delta");
            client.send("{\"type\":\"response.cancel\"}");
            client.until("response.done");
        }
        ReceivedSpan server = awaitSpan(s -> s.traceId().equals(parent.traceId())
                && s.kind() == SpanKind.SPAN_KIND_SERVER);
        assertTrue(server.events().stream().anyMatch(e -> e.name().equals("switchboard.cancel")
                && "client_cancelled".equals(e.attributes().get("switchboard.reason"))), server::toString);
        assertEquals("cancelled", server.attribute("switchboard.response.status"));
        assertEquals("websocket", server.attribute("switchboard.transport"));
    }

    @Test
    void a_barge_in_is_an_event_of_the_relayed_response_span() throws Exception {
        Trace parent = Trace.random();
        try (RealtimeClient client = connect("sim-realtime", parent)) {
            client.next();
            client.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"output_modalities\":"
                    + "[\"audio\"],\"audio\":{\"input\":{\"turn_detection\":{\"type\":\"server_vad\","
                    + "\"create_response\":false,\"interrupt_response\":true}}}}}");
            client.until("session.updated");
            client.send(RealtimeClient.userMessage("Tell me a long story."));
            client.until("conversation.item.done");
            client.send(RealtimeClient.responseCreate("go", "{\"sim_tokens\":\"400\",\"sim_ttft_ms\":\"0\","
                    + "\"sim_tokens_per_second\":\"100\"}"));
            client.until("response.output_audio.delta");
            client.send(audioAppend(200));
            client.until("input_audio_buffer.speech_started");
            client.until("response.done");
        }
        ReceivedSpan server = awaitSpan(s -> s.traceId().equals(parent.traceId())
                && s.kind() == SpanKind.SPAN_KIND_SERVER);
        assertTrue(server.events().stream().anyMatch(e -> e.name().equals("switchboard.barge_in")
                && "turn_detected".equals(e.attributes().get("switchboard.reason"))), server::toString);
        assertEquals("cancelled", server.attribute("switchboard.response.status"));
        assertEquals(List.of("turn_detected"), server.attribute("gen_ai.response.finish_reasons"));
    }

    /** {@code input_audio_buffer.append} with {@code ms} of a 440 Hz tone (PCM16, 24 kHz): speech to a VAD. */
    private static String audioAppend(int ms) {
        int samples = 24_000 * ms / 1000;
        byte[] pcm = new byte[samples * 2];
        for (int i = 0; i < samples; i++) {
            short v = (short) (0.5 * Short.MAX_VALUE * Math.sin(2 * Math.PI * 440 * i / 24_000));
            pcm[2 * i] = (byte) v;
            pcm[2 * i + 1] = (byte) (v >> 8);
        }
        return "{\"type\":\"input_audio_buffer.append\",\"audio\":\""
                + java.util.Base64.getEncoder().encodeToString(pcm) + "\"}";
    }

    private static List<ReceivedSpan> attemptsOf(ReceivedSpan server) {
        return receiver.spans().stream().filter(s -> s.parentSpanId().equals(server.spanId())).toList();
    }

    private static ReceivedSpan awaitSpan(java.util.function.Predicate<ReceivedSpan> match) {
        return await().atMost(WAIT).until(() -> receiver.find(match), java.util.Optional::isPresent).orElseThrow();
    }

    private static HttpResponse<String> chat(String model, String traceParent) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(broker.httpUri() + "/v1/chat/completions"))
                .header("Authorization", "Bearer dev-key")
                .header("Content-Type", "application/json")
                .timeout(WAIT)
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"messages\":[{\"role\":"
                        + "\"user\",\"content\":\"Hello there.\"}]}"));
        if (!traceParent.isEmpty()) {
            request.header("traceparent", traceParent);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static RealtimeClient connect(String model, Trace parent) throws Exception {
        ClientUpgradeRequest upgrade = new ClientUpgradeRequest();
        upgrade.setHeader("Authorization", "Bearer dev-key");
        upgrade.setHeader("traceparent", parent.header());
        return RealtimeClient.connect(ws, URI.create("ws://127.0.0.1:" + broker.port() + "/v1/realtime?model="
                + model), upgrade);
    }

    /** A client's own trace context: random ids, sampled. */
    private record Trace(String traceId, String spanId) {
        static Trace random() {
            byte[] trace = new byte[16];
            byte[] span = new byte[8];
            ThreadLocalRandom.current().nextBytes(trace);
            ThreadLocalRandom.current().nextBytes(span);
            trace[0] |= 1;
            span[0] |= 1;
            return new Trace(HexFormat.of().formatHex(trace), HexFormat.of().formatHex(span));
        }

        String header() {
            return "00-" + traceId + "-" + spanId + "-01";
        }
    }
}
