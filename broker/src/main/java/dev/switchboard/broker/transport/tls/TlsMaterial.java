package dev.switchboard.broker.transport.tls;

import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigException;
import dev.switchboard.broker.config.Tls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the configuration's TLS settings into Jetty's {@link SslContextFactory}s: a listener's identity
 * ({@link #server}) and a provider's trusted CA bundle ({@link #trusting}). Everything is read and checked here, at
 * start-up, so that a missing, unreadable, malformed or mismatched certificate, key or keystore is a
 * {@link ConfigException} naming the key ({@code listen.tls.key does not match the certificate in listen.tls.cert}),
 * never a stack trace or a failure at the first handshake. Certificates are not reloaded: a new certificate takes a
 * restart. Stateless; the factories returned are new, not started, and owned by the caller.
 *
 * <p>Listeners offer {@link #PROTOCOLS} and {@link #CIPHER_SUITES} only: TLS 1.3 and 1.2 with forward-secret AEAD
 * suites (Mozilla's "intermediate" profile without the DHE suites), no renegotiation. Upstream connections offer the
 * same protocol versions with the JDK's default suites, and always check the provider's host name.
 */
public final class TlsMaterial {
    /** The protocol versions listeners and upstream connections offer. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    /** The cipher suites a listener offers, in its order of preference. */
    public static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    private static final Logger LOG = LoggerFactory.getLogger(TlsMaterial.class);
    private static final String ALIAS = "switchboard";

    private TlsMaterial() {
    }

    /**
     * The TLS settings of {@code listen}, when it has {@code tls}.
     *
     * @param prefix the key the listener was read under ({@code listen}, {@code admin.listen}), for messages
     * @throws ConfigException as {@link #server(Tls, String)}
     */
    public static Optional<SslContextFactory.Server> server(BrokerConfig.Listen listen, String prefix)
            throws ConfigException {
        return listen.tls().isEmpty() ? Optional.empty() : Optional.of(server(listen.tls().get(), prefix + ".tls"));
    }

    /**
     * For each provider with {@code tls.ca}, by name, the trust of its upstream connections. Each factory is new,
     * for one client.
     *
     * @throws ConfigException as {@link #trusting}, for the first provider whose bundle cannot be used
     */
    public static Map<String, SslContextFactory.Client> providerTrust(Map<String, BrokerConfig.Provider> providers)
            throws ConfigException {
        Map<String, SslContextFactory.Client> trust = new LinkedHashMap<>();
        for (Map.Entry<String, BrokerConfig.Provider> p : new TreeMap<>(providers).entrySet()) {
            if (p.getValue().tls().isPresent()) {
                trust.put(p.getKey(), trusting(p.getValue().tls().get(), "providers." + p.getKey() + ".tls"));
            }
        }
        return trust;
    }

    /**
     * A listener's TLS settings.
     *
     * @param prefix the key {@code tls} was read under ({@code listen.tls}, {@code admin.listen.tls}), for messages
     * @throws ConfigException a file is missing or unreadable, holds no usable certificate or key, the key does not
     *     match the certificate, or the password does not open the keystore or key
     */
    public static SslContextFactory.Server server(Tls tls, String prefix) throws ConfigException {
        char[] password;
        KeyStore store;
        if (tls.keystore().isPresent()) {
            password = tls.password().orElse("").toCharArray();
            store = keystore(tls.keystore().get(), password, prefix);
        } else {
            password = randomPassword();
            store = pemKeystore(tls, password, prefix);
        }
        SslContextFactory.Server factory = new SslContextFactory.Server();
        factory.setKeyStore(store);
        factory.setKeyStorePassword(new String(password));
        factory.setKeyManagerPassword(new String(password));
        factory.setIncludeProtocols(PROTOCOLS.toArray(String[]::new));
        factory.setIncludeCipherSuites(CIPHER_SUITES.toArray(String[]::new));
        factory.setUseCipherSuitesOrder(true);
        factory.setRenegotiationAllowed(false);
        return factory;
    }

    /**
     * Upstream connections trusting exactly the certificates in {@code trust.ca} (not the JVM's default trust
     * store), with host name verification.
     *
     * @param prefix the key {@code tls} was read under ({@code providers.NAME.tls}), for messages
     * @throws ConfigException the bundle is missing, unreadable or holds no certificate
     */
    public static SslContextFactory.Client trusting(Tls.Trust trust, String prefix) throws ConfigException {
        List<X509Certificate> authorities = Pem.certificates(trust.ca(), prefix + ".ca");
        KeyStore store;
        try {
            store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < authorities.size(); i++) {
                store.setCertificateEntry("ca-" + i, authorities.get(i));
            }
        } catch (GeneralSecurityException | IOException e) {
            throw new ConfigException(prefix + ".ca: " + trust.ca() + " cannot be used (" + Pem.reason(e) + ")");
        }
        SslContextFactory.Client factory = new SslContextFactory.Client();
        factory.setTrustStore(store);
        factory.setEndpointIdentificationAlgorithm("HTTPS");
        factory.setIncludeProtocols(PROTOCOLS.toArray(String[]::new));
        return factory;
    }

    private static KeyStore pemKeystore(Tls tls, char[] password, String prefix) throws ConfigException {
        Path certFile = tls.cert().orElseThrow();
        Path keyFile = tls.key().orElseThrow();
        List<X509Certificate> chain = Pem.certificates(certFile, prefix + ".cert");
        PrivateKey key = Pem.privateKey(keyFile, prefix + ".key", tls.password(), prefix + ".password");
        if (!matches(key, chain.get(0), prefix + ".key")) {
            throw new ConfigException(prefix + ".key (" + keyFile + ") does not match the certificate in " + prefix
                    + ".cert (" + chain.get(0).getSubjectX500Principal().getName() + "): the first certificate of "
                    + "the file must be the server's own");
        }
        warnIfNotValid(chain.get(0), prefix + ".cert");
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(ALIAS, key, password, chain.toArray(Certificate[]::new));
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new ConfigException(prefix + ".key (" + keyFile + ") cannot be used with " + prefix + ".cert ("
                    + Pem.reason(e) + ")");
        }
    }

    private static KeyStore keystore(Path file, char[] password, String prefix) throws ConfigException {
        String key = prefix + ".keystore";
        if (!Files.exists(file)) {
            throw new ConfigException(key + ": " + file + " does not exist");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new ConfigException(key + ": " + file + " cannot be read" + (Files.isRegularFile(file)
                    ? " (permission denied)" : " (not a file)"));
        }
        KeyStore store;
        try {
            store = KeyStore.getInstance(file.toFile(), password);
        } catch (IOException e) {
            throw new ConfigException(key + ": " + file + " cannot be opened with " + prefix + ".password ("
                    + (e.getCause() instanceof UnrecoverableKeyException ? "wrong password" : Pem.reason(e)) + ")");
        } catch (GeneralSecurityException e) {
            throw new ConfigException(key + ": " + file + " is not a PKCS#12 or JKS keystore (" + Pem.reason(e) + ")");
        }
        checkKeyEntry(store, file, password, prefix);
        return store;
    }

    private static void checkKeyEntry(KeyStore store, Path file, char[] password, String prefix)
            throws ConfigException {
        String key = prefix + ".keystore";
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias) && store.getCertificate(alias) instanceof X509Certificate cert) {
                    store.getKey(alias, password);  // the key itself must open with the same password
                    warnIfNotValid(cert, key);
                    return;
                }
            }
        } catch (UnrecoverableKeyException e) {
            throw new ConfigException(key + ": " + prefix + ".password does not unlock the private key in " + file);
        } catch (GeneralSecurityException e) {
            throw new ConfigException(key + ": " + file + " cannot be read (" + Pem.reason(e) + ")");
        }
        throw new ConfigException(key + ": " + file + " holds no private key with its certificate");
    }

    /** Whether {@code key} is the private half of {@code cert}'s public key: a probe it signs, the cert verifies. */
    private static boolean matches(PrivateKey key, X509Certificate cert, String name) throws ConfigException {
        Optional<String> algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> Optional.of("SHA256withRSA");
            case "EC" -> Optional.of("SHA256withECDSA");
            case "Ed25519", "Ed448", "EdDSA" -> Optional.of(key.getAlgorithm());
            default -> Optional.empty();
        };
        if (algorithm.isEmpty()) {
            throw new ConfigException(name + ": the key's algorithm " + key.getAlgorithm() + " is not supported "
                    + "(RSA, EC, Ed25519 or Ed448)");
        }
        byte[] probe = new byte[32];
        new SecureRandom().nextBytes(probe);
        try {
            Signature signer = Signature.getInstance(algorithm.get());
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm.get());
            verifier.initVerify(cert.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            // Keys of different algorithms, or a curve the certificate's key is not on: not the same key pair.
            return false;
        }
    }

    private static void warnIfNotValid(X509Certificate cert, String key) {
        try {
            cert.checkValidity();
        } catch (CertificateExpiredException e) {
            LOG.warn("{}: the certificate {} expired on {}; clients will refuse it", key,
                    cert.getSubjectX500Principal().getName(), cert.getNotAfter().toInstant());
        } catch (CertificateNotYetValidException e) {
            LOG.warn("{}: the certificate {} is not valid before {}; clients will refuse it", key,
                    cert.getSubjectX500Principal().getName(), cert.getNotBefore().toInstant());
        }
    }

    private static char[] randomPassword() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return java.util.Base64.getEncoder().encodeToString(bytes).toCharArray();
    }
}
