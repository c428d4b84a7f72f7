package dev.switchboard.broker.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.broker.Broker;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigException;
import dev.switchboard.broker.config.ConfigLoader;
import dev.switchboard.broker.config.Tls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad TLS settings stop the broker before anything starts, with one message naming the key and what is wrong
 * (never a stack trace); relative paths are resolved against the configuration file's directory.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TlsConfigTest {
    @TempDir
    static Path dir;
    private static TestPki pki;
    private static TestPki other;

    @BeforeAll
    static void keys() throws Exception {
        pki = TestPki.create(dir);
        other = TestPki.create(dir.resolve("other"));
        Files.writeString(dir.resolve("garbage.pem"), "this is not PEM\n");
    }

    private static String startFailure(String tls) {
        return startFailure(tls, "");
    }

    private static String startFailure(String tls, String providers) {
        ConfigException e = assertThrows(ConfigException.class, () -> {
            BrokerConfig config = new ConfigLoader(System::getenv).parse("listen: {host: 127.0.0.1, port: 0"
                    + (tls.isEmpty() ? "" : ", tls: " + tls) + "}\n" + providers);
            Broker.start(config).close();
        });
        return e.getMessage();
    }

    private static String file(String name) {
        return dir.resolve(name).toString();
    }

    @Test
    void a_missing_certificate_file_is_named_with_its_key() {
        String message = startFailure("{cert: " + file("absent.pem") + ", key: " + file("server-key.pem") + "}");
        assertEquals("listen.tls.cert: " + file("absent.pem") + " does not exist", message);
    }

    @Test
    void a_file_without_a_certificate_is_refused() {
        String message = startFailure("{cert: " + file("garbage.pem") + ", key: " + file("server-key.pem") + "}");
        assertEquals("listen.tls.cert: " + file("garbage.pem") + " holds no PEM certificate "
                + "(-----BEGIN CERTIFICATE-----)", message);
    }

    @Test
    void a_key_file_holding_only_a_certificate_is_refused() {
        String message = startFailure("{cert: " + file("server.pem") + ", key: " + file("ca.pem") + "}");
        assertTrue(message.startsWith("listen.tls.key: " + file("ca.pem") + " holds no PEM private key"), message);
    }

    @Test
    void a_key_that_does_not_match_the_certificate_is_refused() {
        String message = startFailure("{cert: " + file("server.pem") + ", key: " + file("other/server-key.pem")
                + "}");
        assertTrue(message.startsWith("listen.tls.key (" + file("other/server-key.pem") + ") does not match the "
                + "certificate in listen.tls.cert (CN=localhost)"), message);
    }

    @Test
    void an_encrypted_key_needs_its_password_and_the_right_one() throws Exception {
        pki.writeEncryptedKey("encrypted-key.pem", "key-secret");
        String missing = startFailure("{cert: " + file("server.pem") + ", key: " + file("encrypted-key.pem") + "}");
        assertEquals("listen.tls.key: " + file("encrypted-key.pem") + " is encrypted; give its password in "
                + "listen.tls.password", missing);
        String wrong = startFailure("{cert: " + file("server.pem") + ", key: " + file("encrypted-key.pem")
                + ", password: nope}");
        assertEquals("listen.tls.password does not decrypt listen.tls.key (" + file("encrypted-key.pem") + ")", wrong);
    }

    @Test
    void a_keystore_with_the_wrong_password_is_refused() throws Exception {
        pki.writeKeystore("server.p12");
        String message = startFailure("{keystore: " + file("server.p12") + ", password: wrong}");
        assertEquals("listen.tls.keystore: " + file("server.p12") + " cannot be opened with listen.tls.password "
                + "(wrong password)", message);
    }

    @Test
    void a_pem_file_given_as_a_keystore_is_refused() {
        String message = startFailure("{keystore: " + file("server.pem") + ", password: x}");
        assertTrue(message.startsWith("listen.tls.keystore: " + file("server.pem")), message);
    }

    @Test
    void cert_and_keystore_together_or_a_cert_without_its_key_are_binding_errors() {
        assertEquals("listen.tls.keystore cannot be combined with cert and key",
                startFailure("{keystore: a.p12, password: x, cert: a.pem, key: b.pem}"));
        assertEquals("listen.tls.key is required with cert", startFailure("{cert: a.pem}"));
        assertEquals("listen.tls.password is required with keystore", startFailure("{keystore: a.p12}"));
    }

    @Test
    void an_unknown_key_under_tls_lists_the_known_ones() {
        assertEquals("listen.tls.ca is not a known key (known in listen.tls: cert, key, keystore, password)",
                startFailure("{ca: x.pem, cert: a.pem, key: b.pem}"));
        assertEquals("providers.p.tls.cert is not a known key (known in providers.p.tls: ca)",
                startFailure("", "providers:\n  p: {kind: openai, base_url: https://x.example/v1, "
                        + "tls: {ca: c, cert: c}}"));
    }

    @Test
    void a_missing_provider_ca_bundle_is_named_with_its_key() {
        String message = startFailure("", "providers:\n  internal: {kind: openai, base_url: https://x.example/v1, "
                + "tls: {ca: " + file("absent-ca.pem") + "}}");
        assertEquals("providers.internal.tls.ca: " + file("absent-ca.pem") + " does not exist", message);
    }

    @Test
    void relative_paths_are_resolved_against_the_configuration_files_directory() throws Exception {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Path file = conf.resolve("switchboard.yaml");
        Files.writeString(file, """
                listen: {port: 0, tls: {cert: certs/server.pem, key: certs/server-key.pem}}
                providers:
                  internal: {kind: openai, base_url: https://x.example/v1, tls: {ca: ../ca.pem}}
                """);
        BrokerConfig config = new ConfigLoader(Map.<String, String>of()::get).load(file);
        Tls tls = config.listen().tls().orElseThrow();
        assertEquals(conf.resolve("certs/server.pem"), tls.cert().orElseThrow());
        assertEquals(conf.resolve("certs/server-key.pem"), tls.key().orElseThrow());
        assertEquals(conf.resolve("../ca.pem"), config.providers().get("internal").tls().orElseThrow().ca());
    }

    @Test
    void the_keystore_password_is_not_printed() throws Exception {
        BrokerConfig config = new ConfigLoader(Map.<String, String>of()::get).parse(
                "listen: {tls: {keystore: a.p12, password: hunter2-secret}}");
        assertTrue(!config.toString().contains("hunter2-secret"), config::toString);
    }
}
