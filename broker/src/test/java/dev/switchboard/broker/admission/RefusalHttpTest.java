package dev.switchboard.broker.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** A throttle is answered as OpenAI does from day one: 429, rate_limit_error, Retry-After (issue 11). */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RefusalHttpTest {

    @Test
    void a_throttle_is_a_429_in_openai_shape_with_retry_after_in_whole_seconds_rounded_up() throws Exception {
        Admission.Refused throttled = new Admission.Refused(Refusal.RATE_LIMITED, "requests per minute exceeded",
                Optional.empty(), Optional.of(Duration.ofMillis(1_500)));
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                dev.switchboard.broker.transport.http.HttpErrors.refuse(request, response, callback, throttled);
                return true;
            }
        });
        server.start();
        try {
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/v1/chat/completions"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(429, answer.statusCode());
            assertEquals("2", answer.headers().firstValue("retry-after").orElseThrow());
            JsonNode error = new ObjectMapper().readTree(answer.body()).path("error");
            assertEquals("rate_limit_error", error.path("type").asText());
            assertEquals("rate_limit_exceeded", error.path("code").asText());
            assertEquals("requests per minute exceeded", error.path("message").asText());
            assertEquals(4029, Refusal.RATE_LIMITED.closeReason().wireCode());
            assertEquals("rate_limit_exceeded", throttled.errorDetail().code());
        } finally {
            server.stop();
        }
    }
}
