package dev.switchboard.broker.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.config.ConfigLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Providers served over TLS by a certificate from a private CA: reachable when {@code providers.NAME.tls.ca} names
 * that CA, refused at the handshake (a prompt, clear upstream error, never a hang) when the provider relies on the
 * JVM's default trust. Both the SSE bridge ({@code openai}) and the Realtime relay ({@code openai-realtime}).
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class UpstreamTlsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(WAIT).build();
    @TempDir
    static Path dir;
    private static TlsProvider provider;
    private static Broker broker;
    private static WebSocketClient ws;

    @BeforeAll
    static void start() throws Exception {
        TestPki pki = TestPki.create(dir);
        provider = new TlsProvider(pki.serverFactory());
        String https = provider.baseUri().toString();
        String wss = https.replace("https://", "wss://");
        String noRetry = "retry: {max_retries: 0}";
        broker = Broker.start(new ConfigLoader(System::getenv).parse("""
                listen: {host: 127.0.0.1, port: 0}
                providers:
                  internal: {kind: openai, base_url: "%1$s", tls: {ca: %3$s}}
                  public-trust: {kind: openai, base_url: "%1$s", %4$s}
                  internal-rt: {kind: openai-realtime, base_url: "%2$s", tls: {ca: %3$s}}
                  public-trust-rt: {kind: openai-realtime, base_url: "%2$s", %4$s}
                models:
                  private-ca: {route: [internal/fake]}
                  default-trust: {route: [public-trust/fake]}
                  private-ca-rt: {route: [internal-rt/fake]}
                  default-trust-rt: {route: [public-trust-rt/fake]}
                tenants:
                  dev: {keys: [dev-key], models: ["*"]}
                """.formatted(https, wss, dir.resolve("ca.pem"), noRetry)));
        ws = new WebSocketClient();
        ws.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (ws != null) {
            ws.stop();
        }
        if (broker != null) {
            broker.close();
        }
        if (provider != null) {
            provider.close();
        }
    }

    @Test
    void a_provider_with_its_ca_configured_streams_the_answer() throws Exception {
        HttpResponse<String> response = chat("private-ca", true);
        assertEquals(200, response.statusCode(), response::body);
        assertTrue(response.body().contains("\"content\":\"ok\""), response::body);
        assertTrue(response.body().trim().endsWith("data: [DONE]"), response::body);
    }

    @Test
    void without_the_ca_the_attempt_fails_at_the_handshake_with_a_clear_upstream_error() throws Exception {
        int before = provider.requests.get();
        HttpResponse<String> response = chat("default-trust", false);
        assertTrue(response.statusCode() >= 500, response::body);
        assertEquals("upstream_unavailable", JSON.readTree(response.body()).path("error").path("code").asText(),
                response::body);
        assertTrue(response.body().contains("TLS handshake failed (its certificate is not trusted)"),
                response::body);
        assertEquals(before, provider.requests.get(), "no request may reach a provider the broker does not trust");
    }

    @Test
    void a_realtime_provider_with_its_ca_configured_opens_the_relay() throws Exception {
        try (RealtimeClient client = connect("private-ca-rt")) {
            JsonNode created = client.next();
            assertEquals("session.created", created.path("type").asText(), created::toString);
        }
    }

    @Test
    void a_realtime_provider_without_the_ca_fails_with_a_clear_upstream_error() throws Exception {
        try (RealtimeClient client = connect("default-trust-rt")) {
            JsonNode error = client.until("error").get(0);
            assertEquals("upstream_unavailable", error.path("error").path("code").asText(), error::toString);
            assertTrue(error.toString().contains("TLS handshake failed"), error::toString);
        }
    }

    private static RealtimeClient connect(String model) throws Exception {
        return RealtimeClient.connect(ws, URI.create("ws://127.0.0.1:" + broker.port() + "/v1/realtime?model="
                + model), "dev-key");
    }

    private static HttpResponse<String> chat(String model, boolean stream) throws Exception {
        String body = "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}]}";
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + broker.port()
                        + "/v1/chat/completions")).timeout(WAIT).header("Authorization", "Bearer dev-key")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
