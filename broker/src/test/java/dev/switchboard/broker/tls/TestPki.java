package dev.switchboard.broker.tls;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * A throw-away PKI made at test time, so that no private key is ever committed: a CA, and a server certificate it
 * signs for {@code localhost} and {@code 127.0.0.1}. Writes PEM files (and keystores) into a directory the test owns.
 */
final class TestPki {
    static final String KEYSTORE_PASSWORD = "keystore-secret";
    private static final SecureRandom RANDOM = new SecureRandom();

    final Path dir;
    final KeyPair caKeys;
    final X509Certificate ca;
    final KeyPair serverKeys;
    final X509Certificate server;

    private TestPki(Path dir, KeyPair caKeys, X509Certificate ca, KeyPair serverKeys, X509Certificate server) {
        this.dir = dir;
        this.caKeys = caKeys;
        this.ca = ca;
        this.serverKeys = serverKeys;
        this.server = server;
    }

    /** A new CA and EC server certificate, written to {@code ca.pem}, {@code server.pem}, {@code server-key.pem}. */
    static TestPki create(Path dir) throws Exception {
        return create(dir, "EC");
    }

    /** As {@link #create(Path)}, with a server key of {@code algorithm} ({@code EC} or {@code RSA}). */
    static TestPki create(Path dir, String algorithm) throws Exception {
        KeyPair caKeys = ecKeys();
        X500Name caName = new X500Name("CN=Switchboard Test CA");
        X509Certificate ca = sign(caName, caKeys, caName, caKeys, true);
        KeyPair serverKeys = algorithm.equals("RSA") ? rsaKeys() : ecKeys();
        X509Certificate server = sign(new X500Name("CN=localhost"), serverKeys, caName, caKeys, false);
        TestPki pki = new TestPki(dir, caKeys, ca, serverKeys, server);
        Files.createDirectories(dir);
        pki.writePem("ca.pem", ca);
        pki.writePem("server.pem", server);
        pki.writePem("server-key.pem", new JcaPKCS8Generator(serverKeys.getPrivate(), null));
        return pki;
    }

    static KeyPair ecKeys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return generator.generateKeyPair();
    }

    static KeyPair rsaKeys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048, RANDOM);
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(X500Name subject, KeyPair subjectKeys, X500Name issuer, KeyPair issuerKeys,
                                        boolean isCa) throws Exception {
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, RANDOM),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), subject,
                subjectKeys.getPublic());
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        builder.addExtension(Extension.subjectKeyIdentifier, false,
                utils.createSubjectKeyIdentifier(subjectKeys.getPublic()));
        builder.addExtension(Extension.authorityKeyIdentifier, false,
                utils.createAuthorityKeyIdentifier(issuerKeys.getPublic()));
        if (isCa) {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            builder.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        }
        String signature = issuerKeys.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        ContentSigner signer = new JcaContentSignerBuilder(signature).build(issuerKeys.getPrivate());
        return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    }

    /** Writes {@code object} (a certificate, a key, a PEM generator) as PEM to {@code name} in {@link #dir}. */
    Path writePem(String name, Object object) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object instanceof org.bouncycastle.util.io.pem.PemObjectGenerator generator ? generator
                    : new JcaMiscPEMGenerator(object));
        }
        Path file = dir.resolve(name);
        Files.writeString(file, text.toString());
        return file;
    }

    /**
     * The server key as traditional OpenSSL PEM: PKCS#1 for RSA, SEC1 for EC (with the curve and the public point,
     * as {@code openssl ec} writes it).
     */
    Path writeTraditionalKey(String name) throws IOException {
        if (!serverKeys.getPrivate().getAlgorithm().equals("EC")) {
            return writePem(name, serverKeys.getPrivate());
        }
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(serverKeys.getPrivate().getEncoded());
        org.bouncycastle.asn1.sec.ECPrivateKey inner = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(
                info.parsePrivateKey());
        org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, inner.getKey(),
                SubjectPublicKeyInfo.getInstance(serverKeys.getPublic().getEncoded()).getPublicKeyData(),
                info.getPrivateKeyAlgorithm().getParameters());
        return writePem(name, new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
    }

    /** The server key as encrypted PKCS#8 (AES-256-CBC, PBKDF2). */
    Path writeEncryptedKey(String name, String password) throws Exception {
        JceOpenSSLPKCS8EncryptorBuilder encryptor = new JceOpenSSLPKCS8EncryptorBuilder(
                JcaPKCS8Generator.AES_256_CBC).setProvider(new BouncyCastleProvider()).setRandom(RANDOM)
                .setPassword(password.toCharArray());
        return writePem(name, new JcaPKCS8Generator(serverKeys.getPrivate(), encryptor.build()));
    }

    /** The server key and certificate in a PKCS#12 keystore with {@link #KEYSTORE_PASSWORD}. */
    Path writeKeystore(String name) throws Exception {
        return writeKeystore(name, serverKeys.getPrivate(), server);
    }

    Path writeKeystore(String name, PrivateKey key, X509Certificate cert) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", key, KEYSTORE_PASSWORD.toCharArray(), new Certificate[] {cert, ca});
        Path file = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, KEYSTORE_PASSWORD.toCharArray());
        }
        return file;
    }

    /** A client TLS factory trusting only this CA, host names verified. */
    SslContextFactory.Client trustingClient() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        SslContextFactory.Client client = new SslContextFactory.Client();
        client.setTrustStore(trust);
        client.setEndpointIdentificationAlgorithm("HTTPS");
        return client;
    }

    /** A server TLS factory with this server certificate (for fake providers). */
    SslContextFactory.Server serverFactory() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", serverKeys.getPrivate(), KEYSTORE_PASSWORD.toCharArray(),
                new Certificate[] {server, ca});
        SslContextFactory.Server factory = new SslContextFactory.Server();
        factory.setKeyStore(store);
        factory.setKeyStorePassword(KEYSTORE_PASSWORD);
        factory.setKeyManagerPassword(KEYSTORE_PASSWORD);
        return factory;
    }
}
