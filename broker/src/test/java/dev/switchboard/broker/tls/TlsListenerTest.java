package dev.switchboard.broker.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.config.ConfigLoader;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dev-like broker whose listener has a certificate from a CA the test makes: real TLS clients that trust only
 * that CA speak WebSocket (wss), HTTP/2 and HTTP/1.1 (https) to it; a client that does not trust it is refused at
 * the handshake.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TlsListenerTest {
    static final String CHAT = "{\"model\":\"sim-chat\",\"stream\":true,\"messages\":[{\"role\":\"user\","
            + "\"content\":\"Hello over TLS\"}],\"metadata\":{\"sim_tokens\":\"12\",\"sim_ttft_ms\":\"0\"}}";
    @TempDir
    static Path dir;
    private static TestPki pki;
    private static Broker broker;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create(dir);
        broker = Broker.start(new ConfigLoader(System::getenv).parse(config(
                "{cert: " + dir.resolve("server.pem") + ", key: " + dir.resolve("server-key.pem") + "}", "")));
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    /** A dev-like configuration: the simulator, tenant {@code dev}, a TLS listener on an ephemeral port. */
    static String config(String tls, String extra) {
        return "listen: {host: 127.0.0.1, port: 0, tls: " + tls + "}\n"
                + "simulator: {enabled: true}\n"
                + "tenants:\n  dev: {keys: [dev-key], models: [\"*\"]}\n" + extra;
    }

    @Test
    void the_broker_says_it_serves_https() {
        assertEquals("https", broker.httpUri().getScheme());
    }

    @Test
    void a_websocket_client_trusting_only_the_test_ca_completes_a_realtime_session_over_wss() throws Exception {
        WebSocketClient ws = webSocketClient(pki.trustingClient());
        try (RealtimeClient client = RealtimeClient.connect(ws,
                URI.create("wss://localhost:" + broker.port() + "/v1/realtime?model=sim-chat"), "dev-key")) {
            assertRealtimeResponse(client);
        } finally {
            ws.stop();
        }
    }

    @Test
    void a_streamed_chat_completion_is_served_over_http2_negotiated_by_alpn() throws Exception {
        ClientConnector connector = new ClientConnector();
        connector.setSslContextFactory(pki.trustingClient());
        HttpClient client = new HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client(connector)));
        client.start();
        try {
            ContentResponse response = chat(client, broker);
            assertEquals(HttpVersion.HTTP_2, response.getVersion());
            assertStreamed(response);
        } finally {
            client.stop();
        }
    }

    @Test
    void a_streamed_chat_completion_is_served_over_http1_1() throws Exception {
        ClientConnector connector = new ClientConnector();
        connector.setSslContextFactory(pki.trustingClient());
        HttpClient client = new HttpClient(new HttpClientTransportOverHTTP(connector));
        client.start();
        try {
            ContentResponse response = chat(client, broker);
            assertEquals(HttpVersion.HTTP_1_1, response.getVersion());
            assertStreamed(response);
        } finally {
            client.stop();
        }
    }

    @Test
    void a_client_that_does_not_trust_the_ca_fails_the_handshake() throws Exception {
        HttpClient client = new HttpClient();  // the JVM's default trust store, which never holds the test CA
        client.start();
        try {
            ExecutionException failure = assertThrows(ExecutionException.class, () -> chat(client, broker));
            assertTrue(causedBy(failure, SSLHandshakeException.class), () -> "not a handshake failure: " + failure);
        } finally {
            client.stop();
        }
    }

    @Test
    void plain_http_to_the_tls_port_gets_no_answer() throws Exception {
        HttpClient client = new HttpClient();
        client.start();
        try {
            URI plain = URI.create("http://127.0.0.1:" + broker.port() + "/v1/models");
            // Jetty refuses what is not a TLS record; the client sees the connection fail, never a 200.
            ExecutionException failure = assertThrows(ExecutionException.class, () -> client.newRequest(plain)
                    .headers(h -> h.put("Authorization", "Bearer dev-key")).timeout(30, TimeUnit.SECONDS).send());
            assertNotEquals(null, failure.getCause());
        } finally {
            client.stop();
        }
    }

    static ContentResponse chat(HttpClient client, Broker target) throws Exception {
        return client.POST(URI.create("https://127.0.0.1:" + target.port() + "/v1/chat/completions"))
                .headers(h -> h.put("Authorization", "Bearer dev-key"))
                .body(new StringRequestContent("application/json", CHAT))
                .timeout(30, TimeUnit.SECONDS).send();
    }

    static void assertStreamed(ContentResponse response) {
        assertEquals(200, response.getStatus(), response::getContentAsString);
        assertTrue(response.getMediaType().startsWith("text/event-stream"), response.getMediaType());
        String body = response.getContentAsString();
        assertTrue(body.contains("\"chat.completion.chunk\""), body);
        assertTrue(body.trim().endsWith("data: [DONE]"), body);
    }

    static WebSocketClient webSocketClient(SslContextFactory.Client tls) throws Exception {
        HttpClient http = new HttpClient();
        http.setSslContextFactory(tls);
        WebSocketClient ws = new WebSocketClient(http);
        ws.start();
        return ws;
    }

    static void assertRealtimeResponse(RealtimeClient client) throws Exception {
        assertEquals("session.created", client.next().path("type").asText());
        client.send(RealtimeClient.userMessage("Hello over wss"));
        client.until("conversation.item.done");
        client.send(RealtimeClient.responseCreate("evt_tls", "{\"sim_tokens\":\"12\",\"sim_ttft_ms\":\"0\"}"));
        List<JsonNode> response = client.until("response.done");
        assertEquals("completed", response.get(response.size() - 1).path("response").path("status").asText());
        assertEquals(12, response.stream().filter(f -> f.path("type").asText().equals("response.output_text.delta"))
                .count());
    }

    static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
