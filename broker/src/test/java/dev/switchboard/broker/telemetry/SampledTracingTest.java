package dev.switchboard.broker.telemetry;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.broker.Broker;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * {@code telemetry.sample_ratio: 0}: responses without a client {@code traceparent} are not traced, while a client
 * whose {@code traceparent} is sampled still gets its response traced (parent-based sampling).
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SampledTracingTest {
    private static final String SAMPLED_PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void at_ratio_zero_only_responses_whose_client_trace_is_sampled_are_exported() throws Exception {
        try (OtlpReceiver receiver = new OtlpReceiver()) {
            BrokerConfig config = new ConfigLoader(name -> null).parse("""
                    simulator: {enabled: true}
                    tenants:
                      dev: {keys: [dev-key], models: ["*"]}
                    telemetry:
                      otlp: {endpoint: "%s", export_interval: 100ms}
                      sample_ratio: 0
                    """.formatted(receiver.endpoint()));
            try (Broker broker = Broker.start(config.withListen(new BrokerConfig.Listen("127.0.0.1", 0)))) {
                for (int i = 0; i < 5; i++) {
                    assertEquals(200, chat(broker, null).statusCode());
                }
                assertEquals(200, chat(broker, SAMPLED_PARENT).statusCode());
                await().atMost(Duration.ofSeconds(20)).until(() -> receiver.find(s ->
                        s.traceId().equals("4bf92f3577b34da6a3ce929d0e0e4736")).isPresent());
            }
            // Closing the broker flushed every queued span: the unsampled responses made none.
            assertTrue(receiver.spans().stream().allMatch(s -> s.traceId().equals("4bf92f3577b34da6a3ce929d0e0e4736")),
                    () -> receiver.spans().toString());
        }
    }

    private static HttpResponse<String> chat(Broker broker, String traceParent) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(broker.httpUri() + "/v1/chat/completions"))
                .header("Authorization", "Bearer dev-key").header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"sim-chat\",\"messages\":[{\"role\":"
                        + "\"user\",\"content\":\"Hello.\"}],\"metadata\":{\"sim_tokens\":\"5\"}}"));
        if (traceParent != null) {
            request.header("traceparent", traceParent);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
