package dev.switchboard.broker.tls;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.config.ConfigLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker whose listener takes its identity from a PKCS#12 keystore, with a short request header deadline: only
 * TLS 1.2 and 1.3 with strong suites are accepted, the header deadline still bounds a client trickling over TLS,
 * and a WebSocket over TLS leaves that deadline behind at its upgrade.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TlsHardeningTest {
    private static final int SOCKET_TIMEOUT_MS = 20_000;
    /** Far below the 20 s socket timeout and the 30 s idle timeout, so a close means the header deadline acted. */
    private static final String HEADER_TIMEOUT = "2s";
    @TempDir
    static Path dir;
    private static TestPki pki;
    private static Broker broker;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create(dir, "RSA");
        pki.writeKeystore("server.p12");
        broker = Broker.start(new ConfigLoader(System::getenv).parse(TlsListenerTest.config("{keystore: "
                + dir.resolve("server.p12") + ", password: " + TestPki.KEYSTORE_PASSWORD + "}",
                "limits: {request_header_timeout: " + HEADER_TIMEOUT + "}\n")));
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void a_keystore_identity_serves_a_streamed_chat_completion_over_http2() throws Exception {
        ClientConnector connector = new ClientConnector();
        connector.setSslContextFactory(pki.trustingClient());
        HttpClient client = new HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client(connector)));
        client.start();
        try {
            ContentResponse response = TlsListenerTest.chat(client, broker);
            assertEquals(HttpVersion.HTTP_2, response.getVersion());
            TlsListenerTest.assertStreamed(response);
        } finally {
            client.stop();
        }
    }

    @Test
    void tls_1_3_is_negotiated_by_default_and_a_tls_1_2_client_is_served() throws Exception {
        try (SSLSocket socket = socket()) {
            socket.startHandshake();
            assertEquals("TLSv1.3", socket.getSession().getProtocol());
        }
        try (SSLSocket socket = socket()) {
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            socket.startHandshake();
            assertEquals("TLSv1.2", socket.getSession().getProtocol());
            assertTrue(socket.getSession().getCipherSuite().contains("_GCM_")
                    || socket.getSession().getCipherSuite().contains("CHACHA20"), socket.getSession()::getCipherSuite);
        }
    }

    @Test
    void a_tls_1_2_client_offering_only_a_cbc_suite_is_refused() throws Exception {
        try (SSLSocket socket = socket()) {
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            socket.setEnabledCipherSuites(new String[] {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"});
            assertThrows(SSLHandshakeException.class, socket::startHandshake);
        }
    }

    /**
     * The JDK's own client will not offer TLS 1.1 (it is disabled in {@code java.security}), so the ClientHello is
     * written by hand: version 3.2, two TLS 1.1 suites, no extensions. The server must answer with an alert, or
     * close, never with a ServerHello.
     */
    @Test
    void a_tls_1_1_client_hello_is_answered_with_an_alert_not_a_server_hello() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", broker.port())) {
            socket.setSoTimeout(SOCKET_TIMEOUT_MS);
            OutputStream out = socket.getOutputStream();
            out.write(tls11ClientHello());
            out.flush();
            InputStream in = socket.getInputStream();
            int contentType = in.read();
            assertNotEquals(0x16, contentType, "the server answered a TLS 1.1 ClientHello with a handshake record");
            if (contentType != -1) {
                assertEquals(0x15, contentType, "expected an alert record");
                byte[] rest = in.readNBytes(6);  // version (2), length (2), level, description
                assertEquals(2, rest[4], "a fatal alert");
                assertEquals(70, rest[5], "protocol_version");
            }
        }
    }

    @Test
    void a_request_trickled_over_tls_is_closed_by_the_header_deadline() throws Exception {
        try (SSLSocket socket = socket()) {
            socket.startHandshake();
            OutputStream out = socket.getOutputStream();
            out.write("GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // The headers never end: the broker closes the connection (a TLS close, or a reset), long before the
            // socket timeout, which would throw SocketTimeoutException instead.
            try {
                assertEquals(-1, socket.getInputStream().read());
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the connection was not closed by the header deadline", e);
            } catch (SSLException | SocketException e) {
                // Closed abruptly: also the deadline.
            }
        }
    }

    @Test
    void a_websocket_over_tls_outlives_the_header_deadline() throws Exception {
        WebSocketClient ws = TlsListenerTest.webSocketClient(pki.trustingClient());
        try (RealtimeClient client = RealtimeClient.connect(ws,
                URI.create("wss://127.0.0.1:" + broker.port() + "/v1/realtime?model=sim-chat"), "dev-key")) {
            assertEquals("session.created", client.next().path("type").asText());
            // Bytes after the upgrade, then longer than the header deadline: had the network end point not left
            // its deadlines at the upgrade, these bytes would start one and it would close the WebSocket.
            client.send(RealtimeClient.userMessage("Hello after the deadline"));
            client.until("conversation.item.done");
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(30))
                    .until(() -> client.session().isOpen() && client.closeStatus().isEmpty());
            client.send(RealtimeClient.responseCreate("evt_late", "{\"sim_tokens\":\"5\",\"sim_ttft_ms\":\"0\"}"));
            List<JsonNode> response = client.until("response.done");
            assertEquals("completed", response.get(response.size() - 1).path("response").path("status").asText());
        } finally {
            ws.stop();
        }
    }

    private static SSLSocket socket() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", pki.ca);
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trustManagers.getTrustManagers(), null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", broker.port());
        socket.setSoTimeout(SOCKET_TIMEOUT_MS);
        return socket;
    }

    private static byte[] tls11ClientHello() throws IOException {
        ByteBuffer body = ByteBuffer.allocate(43);
        body.put((byte) 3).put((byte) 2);                     // client_version TLS 1.1
        body.put(new byte[32]);                               // random
        body.put((byte) 0);                                   // no session id
        body.putShort((short) 4).putShort((short) 0xC013).putShort((short) 0x002F);  // two CBC suites
        body.put((byte) 1).put((byte) 0);                     // null compression
        ByteBuffer record = ByteBuffer.allocate(5 + 4 + 43);
        record.put((byte) 0x16).put((byte) 3).put((byte) 2).putShort((short) (4 + 43));
        record.put((byte) 1).put((byte) 0).putShort((short) 43);  // ClientHello, 24-bit length
        record.put(body.array());
        return record.array();
    }
}
