package dev.switchboard.broker.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import dev.switchboard.simulator.ProviderSimulator;
import dev.switchboard.simulator.SimulatorConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, defect 4: a provider that refuses the broker's key answers, as OpenAI does, "Incorrect API key
 * provided: sk-SECRE*****-999" — the broker's own credential, masked. Before the fix that text reached tenants in
 * {@code status_details} and in the HTTP 502 body (only an exact match of the key was redacted). Now an upstream
 * authentication failure reaches tenants in the broker's own words only.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ProviderCredentialTextTest {
    private static final String BROKER_KEY = "sk-SECRETbrokerkey-0000000999";
    private static ProviderSimulator provider;
    private static Broker broker;
    private static WebSocketClient client;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        // A provider that expects another key than the one the broker was configured with.
        provider = ProviderSimulator.start(SimulatorConfig.loopbackEphemeral().withApiKey("sk-the-right-key-1234"));
        String yaml = """
                providers:
                  wrongkey:
                    kind: openai
                    base_url: "http://127.0.0.1:%d/v1"
                    api_key: "%s"
                    retry: {max_retries: 0}
                models:
                  locked: {route: [wrongkey/sim-chat]}
                tenants:
                  t: {keys: [k-t], models: ["*"]}
                """.formatted(provider.port(), BROKER_KEY);
        BrokerConfig config = new ConfigLoader(name -> null).parse(yaml);
        broker = Broker.start(config.withListen(new BrokerConfig.Listen("127.0.0.1", 0)));
        client = new WebSocketClient();
        client.start();
    }

    @AfterAll
    static void stop() throws Exception {
        client.stop();
        broker.close();
        provider.close();
    }

    @Test
    void a_refused_provider_key_reaches_a_websocket_client_in_the_brokers_words_only() throws Exception {
        URI uri = URI.create("ws://127.0.0.1:" + broker.port() + "/v1/realtime?model=locked");
        try (RealtimeClient session = RealtimeClient.connect(client, uri, "k-t")) {
            session.next();
            session.send(RealtimeClient.userMessage("Hi"));
            session.send(RealtimeClient.responseCreate("r1", "{}"));
            List<JsonNode> frames = session.until("response.done");
            JsonNode details = frames.get(frames.size() - 1).path("response").path("status_details");
            assertEquals("upstream_auth_failed", details.path("reason").asText(), details::toString);
            assertSafe(frames.toString());
            assertTrue(details.path("error").path("message").asText().contains("credentials"), details::toString);
        }
    }

    @Test
    void a_refused_provider_key_reaches_an_http_client_in_the_brokers_words_only() throws Exception {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + broker.port() + "/v1/chat/completions")).header("Authorization", "Bearer k-t")
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"locked\",\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"Hi\"}]}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(502, answer.statusCode(), answer.body());
        assertSafe(answer.body());
        assertTrue(answer.body().contains("credentials"), answer.body());
    }

    /** Neither the provider's text about the key nor any recognisable part of the key. */
    private static void assertSafe(String text) {
        assertFalse(text.contains("Incorrect API key"), text);
        assertFalse(text.contains(BROKER_KEY.substring(0, 8)), text);
        assertFalse(text.contains("0999"), text);
        assertFalse(text.contains("****"), text);
    }
}
