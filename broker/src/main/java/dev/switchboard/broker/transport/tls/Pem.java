package dev.switchboard.broker.transport.tls;

import dev.switchboard.broker.config.ConfigException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/**
 * Reads PEM files: certificates ({@code CERTIFICATE} blocks, any number, other text between them ignored) and one
 * private key in any of the forms OpenSSL writes: PKCS#8 ({@code PRIVATE KEY}), encrypted PKCS#8
 * ({@code ENCRYPTED PRIVATE KEY}), PKCS#1 RSA ({@code RSA PRIVATE KEY}), SEC1 EC ({@code EC PRIVATE KEY}, an
 * {@code EC PARAMETERS} block before it is skipped) and the legacy encrypted forms ({@code Proc-Type: 4,ENCRYPTED}).
 * Keys become JDK keys (the JDK's key factories); Bouncy Castle's provider is used, unregistered, only to decrypt.
 *
 * <p>Every failure is a {@link ConfigException} naming the configuration key the file came from. Stateless.
 */
final class Pem {
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();

    private Pem() {
    }

    /** Every certificate in {@code file}, in order; at least one. */
    static List<X509Certificate> certificates(Path file, String key) throws ConfigException {
        List<X509Certificate> certificates = new ArrayList<>();
        try (PEMParser parser = parser(file, key)) {
            JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
            for (Object block = parser.readObject(); block != null; block = parser.readObject()) {
                if (block instanceof X509CertificateHolder holder) {
                    certificates.add(converter.getCertificate(holder));
                }
            }
        } catch (IOException | CertificateException | RuntimeException e) {
            throw new ConfigException(key + ": " + file + " is not a valid PEM file (" + reason(e) + ")");
        }
        if (certificates.isEmpty()) {
            throw new ConfigException(key + ": " + file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        return certificates;
    }

    /**
     * The private key in {@code file}.
     *
     * @param password decrypts an encrypted key; {@code passwordKey} names it in messages
     */
    static PrivateKey privateKey(Path file, String key, Optional<String> password, String passwordKey)
            throws ConfigException {
        Object block;
        try (PEMParser parser = parser(file, key)) {
            block = parser.readObject();
            // OpenSSL's ecparam writes the curve's parameters before the key; certificates may share the file.
            while (block != null && !isKey(block)) {
                block = parser.readObject();
            }
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(key + ": " + file + " is not a valid PEM file (" + reason(e) + ")");
        }
        if (block == null) {
            throw new ConfigException(key + ": " + file + " holds no PEM private key (-----BEGIN PRIVATE KEY-----, "
                    + "RSA PRIVATE KEY, EC PRIVATE KEY or ENCRYPTED PRIVATE KEY)");
        }
        boolean encrypted = block instanceof PKCS8EncryptedPrivateKeyInfo || block instanceof PEMEncryptedKeyPair;
        try {
            return convert(block, file, key, password, passwordKey);
        } catch (PKCSException | OperatorCreationException | IOException e) {
            if (encrypted) {
                throw new ConfigException(passwordKey + " does not decrypt " + key + " (" + file + ")");
            }
            throw new ConfigException(key + ": " + file + " holds a private key that cannot be used (" + reason(e)
                    + ")");
        } catch (RuntimeException e) {
            throw new ConfigException(key + ": " + file + " holds a private key that cannot be used (" + reason(e)
                    + ")");
        }
    }

    private static boolean isKey(Object block) {
        return block instanceof PrivateKeyInfo || block instanceof PEMKeyPair
                || block instanceof PKCS8EncryptedPrivateKeyInfo || block instanceof PEMEncryptedKeyPair;
    }

    private static PrivateKey convert(Object block, Path file, String key, Optional<String> password,
                                      String passwordKey) throws ConfigException, PKCSException,
            OperatorCreationException, IOException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        if (block instanceof PrivateKeyInfo info) {
            return converter.getPrivateKey(info);
        }
        if (block instanceof PEMKeyPair pair) {
            // The private key alone: a SEC1 key may leave its public point out.
            return converter.getPrivateKey(pair.getPrivateKeyInfo());
        }
        if (password.isEmpty()) {
            throw new ConfigException(key + ": " + file + " is encrypted; give its password in " + passwordKey);
        }
        char[] secret = password.get().toCharArray();
        if (block instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
            return converter.getPrivateKey(encrypted.decryptPrivateKeyInfo(
                    new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BC).build(secret)));
        }
        PEMEncryptedKeyPair legacy = (PEMEncryptedKeyPair) block;
        return converter.getPrivateKey(legacy.decryptKeyPair(new JcePEMDecryptorProviderBuilder().setProvider(BC)
                .build(secret)).getPrivateKeyInfo());
    }

    private static PEMParser parser(Path file, String key) throws ConfigException {
        try {
            Reader reader = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1);
            return new PEMParser(reader);
        } catch (NoSuchFileException e) {
            throw new ConfigException(key + ": " + file + " does not exist");
        } catch (AccessDeniedException e) {
            throw new ConfigException(key + ": " + file + " cannot be read (permission denied)");
        } catch (IOException e) {
            throw new ConfigException(key + ": " + file + " cannot be read (" + reason(e) + ")");
        }
    }

    /** The exception's own message, or its class when it has none; never a stack trace. */
    static String reason(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
