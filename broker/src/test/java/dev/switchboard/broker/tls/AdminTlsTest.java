package dev.switchboard.broker.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.broker.Broker;
import dev.switchboard.broker.config.ConfigLoader;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.io.ClientConnector;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin listener with {@code admin.listen.tls}: https (HTTP/2 by ALPN) to clients trusting the test CA only. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AdminTlsTest {
    @TempDir
    Path dir;

    @Test
    void the_admin_api_is_served_over_tls_and_refuses_a_client_that_does_not_trust_its_ca() throws Exception {
        TestPki pki = TestPki.create(dir);
        String tls = "{cert: " + dir.resolve("server.pem") + ", key: " + dir.resolve("server-key.pem") + "}";
        String yaml = TlsListenerTest.config(tls, """
                admin:
                  listen: {host: 127.0.0.1, port: 0, tls: %s}
                  tokens: [{token: admin-token-1, role: admin}]
                """.formatted(tls));
        try (Broker broker = Broker.start(new ConfigLoader(name -> null).parse(yaml))) {
            assertEquals("https", broker.adminUri().orElseThrow().getScheme());
            String url = "https://localhost:" + broker.adminUri().orElseThrow().getPort() + "/admin/tenants";
            ClientConnector connector = new ClientConnector();
            connector.setSslContextFactory(pki.trustingClient());
            HttpClient trusting = new HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client(connector)));
            HttpClient untrusting = new HttpClient();
            trusting.start();
            untrusting.start();
            try {
                ContentResponse tenants = trusting.newRequest(url).headers(h -> h.put("Authorization",
                        "Bearer admin-token-1")).timeout(20, TimeUnit.SECONDS).send();
                assertEquals(200, tenants.getStatus(), tenants.getContentAsString());
                assertEquals(HttpVersion.HTTP_2, tenants.getVersion());
                assertTrue(tenants.getContentAsString().contains("\"dev\""), tenants.getContentAsString());
                assertThrows(ExecutionException.class, () -> untrusting.newRequest(url)
                        .timeout(20, TimeUnit.SECONDS).send());
            } finally {
                trusting.stop();
                untrusting.stop();
            }
        }
    }
}
