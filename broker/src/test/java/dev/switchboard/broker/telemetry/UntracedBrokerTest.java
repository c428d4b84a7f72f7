package dev.switchboard.broker.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.broker.Broker;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import dev.switchboard.broker.config.Telemetry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Without {@code telemetry.otlp} nothing is traced: no tracer, no exporter and no exporter thread, and a receiver
 * that is listening hears nothing. (Its own class, so that no traced broker of another test runs meanwhile.)
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class UntracedBrokerTest {

    @Test
    void without_an_otlp_endpoint_nothing_is_exported_and_no_exporter_thread_runs() throws Exception {
        assertTrue(Tracing.start(Telemetry.none()).isEmpty());
        try (OtlpReceiver receiver = new OtlpReceiver()) {
            BrokerConfig config = new ConfigLoader(name -> null).loadDev();
            Broker broker = Broker.start(config.withListen(new BrokerConfig.Listen("127.0.0.1", 0)));
            try {
                HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                URI.create(broker.httpUri() + "/v1/chat/completions"))
                        .header("Authorization", "Bearer dev-key")
                        .header("Content-Type", "application/json")
                        .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"sim-chat\",\"messages\":[{\"role\":"
                                + "\"user\",\"content\":\"Hello.\"}]}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, answer.statusCode(), answer::body);
                List<String> exporters = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                        .filter(name -> name.startsWith("BatchSpanProcessor")).toList();
                assertEquals(List.of(), exporters);
            } finally {
                broker.close();
            }
            assertEquals(0, receiver.requests());
        }
    }
}
