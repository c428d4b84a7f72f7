package dev.switchboard.broker.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.Tls;
import dev.switchboard.broker.metrics.BrokerMetrics;
import dev.switchboard.broker.transport.http.ListenerConnectors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every PEM key form OpenSSL writes serves TLS through the listener factory ({@link ListenerConnectors}, which the
 * main and admin listeners share): a real handshake from a client trusting only the test CA, which must be shown
 * the server's certificate.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TlsKeyFormatsTest {
    @TempDir
    Path dir;

    @Test
    void an_ec_key_in_pkcs8_serves() throws Exception {
        TestPki pki = TestPki.create(dir);
        assertServes(pki, Tls.pem(dir.resolve("server.pem"), dir.resolve("server-key.pem")));
    }

    @Test
    void an_ec_key_in_sec1_form_serves() throws Exception {
        TestPki pki = TestPki.create(dir);
        Path key = pki.writeTraditionalKey("ec-key.pem");
        assertEquals(true, Files.readString(key).contains("BEGIN EC PRIVATE KEY"));
        assertServes(pki, Tls.pem(dir.resolve("server.pem"), key));
    }

    @Test
    void an_rsa_key_in_pkcs1_and_pkcs8_form_serves() throws Exception {
        TestPki pki = TestPki.create(dir, "RSA");
        Path pkcs1 = pki.writeTraditionalKey("rsa-key.pem");
        assertEquals(true, Files.readString(pkcs1).contains("BEGIN RSA PRIVATE KEY"));
        assertServes(pki, Tls.pem(dir.resolve("server.pem"), pkcs1));
        Path pkcs8 = pki.writePem("rsa-key-8.pem", new JcaPKCS8Generator(pki.serverKeys.getPrivate(), null));
        assertServes(pki, Tls.pem(dir.resolve("server.pem"), pkcs8));
    }

    @Test
    void an_encrypted_pkcs8_key_serves_with_its_password() throws Exception {
        TestPki pki = TestPki.create(dir);
        Path key = pki.writeEncryptedKey("encrypted.pem", "key-secret");
        assertServes(pki, new Tls(Optional.of(dir.resolve("server.pem")), Optional.of(key), Optional.empty(),
                Optional.of("key-secret")));
    }

    @Test
    void a_chain_file_and_a_combined_key_file_serve() throws Exception {
        TestPki pki = TestPki.create(dir);
        Path chain = dir.resolve("chain.pem");
        Files.writeString(chain, Files.readString(dir.resolve("server.pem")) + Files.readString(dir.resolve("ca.pem")));
        Path combined = dir.resolve("combined.pem");
        Files.writeString(combined, Files.readString(dir.resolve("server.pem"))
                + Files.readString(dir.resolve("server-key.pem")));
        assertServes(pki, Tls.pem(chain, combined));
    }

    @Test
    void a_pkcs12_keystore_serves() throws Exception {
        TestPki pki = TestPki.create(dir);
        assertServes(pki, Tls.keystore(pki.writeKeystore("server.p12"), TestPki.KEYSTORE_PASSWORD));
    }

    private static void assertServes(TestPki pki, Tls tls) throws Exception {
        Server server = new Server();
        ServerConnector connector = ListenerConnectors.build(server, new BrokerConfig.Listen("127.0.0.1", 0,
                Optional.of(tls)), "listen", BrokerConfig.Limits.defaults(), new BrokerMetrics());
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.setStatus(204);
                callback.succeeded();
                return true;
            }
        });
        server.start();
        try (SSLSocket socket = (SSLSocket) trustingOnly(pki).getSocketFactory().createSocket("127.0.0.1",
                connector.getLocalPort())) {
            socket.setSoTimeout(20_000);
            socket.startHandshake();
            assertEquals(pki.server, socket.getSession().getPeerCertificates()[0]);
            assertEquals("https", ListenerConnectors.scheme(connector));
        } finally {
            server.stop();
        }
    }

    private static SSLContext trustingOnly(TestPki pki) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", pki.ca);
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
