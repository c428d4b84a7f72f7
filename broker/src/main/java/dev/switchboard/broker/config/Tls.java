package dev.switchboard.broker.config;

import com.fasterxml.jackson.annotation.JacksonInject;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.OptBoolean;
import java.nio.file.Path;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A TLS listener's identity ({@code listen.tls}, and the admin listener's): a PEM certificate chain and private key,
 * or a keystore. See {@code docs/tls.md}. Only the paths are checked here; the files are read, and the key matched
 * to the certificate, when the listener is built ({@code transport.tls.TlsMaterial}), so that every problem with
 * them is reported at start-up with the key's name.
 *
 * <p>Relative paths are resolved against the directory of the configuration file (the working directory for a
 * configuration parsed from text).
 *
 * @param cert the PEM certificate chain, the server's certificate first; present exactly when {@code key} is
 * @param key the PEM private key (PKCS#8, encrypted PKCS#8, PKCS#1 RSA or SEC1 EC)
 * @param keystore a PKCS#12 (or JKS) keystore holding the private key and its chain, instead of {@code cert} and
 *     {@code key}
 * @param password the keystore's password, or the password of an encrypted PEM key; never logged
 */
public record Tls(Optional<Path> cert, Optional<Path> key, Optional<Path> keystore, Optional<String> password) {
    /** The injectable value under which {@link ConfigLoader} passes the directory relative paths resolve against. */
    static final String BASE_DIR = "switchboard.config.dir";

    /** A PEM certificate chain and private key. */
    public static Tls pem(Path cert, Path key) {
        return new Tls(Optional.of(cert), Optional.of(key), Optional.empty(), Optional.empty());
    }

    /** A keystore and its password. */
    public static Tls keystore(Path keystore, String password) {
        return new Tls(Optional.empty(), Optional.empty(), Optional.of(keystore), Optional.of(password));
    }

    @JsonCreator
    static Tls bind(@JacksonInject(value = BASE_DIR, useInput = OptBoolean.FALSE) Path base,
                    @JsonProperty("cert") @Nullable String cert, @JsonProperty("key") @Nullable String key,
                    @JsonProperty("keystore") @Nullable String keystore,
                    @JsonProperty("password") @Nullable String password) {
        if (keystore != null) {
            ConfigRule.require(cert == null && key == null, "keystore", "cannot be combined with cert and key");
            ConfigRule.require(password != null, "password", "is required with keystore");
            return new Tls(Optional.empty(), Optional.empty(), Optional.of(file(base, keystore, "keystore")),
                    Optional.of(password));
        }
        ConfigRule.require(cert != null, "cert", "is required (with key), or give keystore and password");
        ConfigRule.require(key != null, "key", "is required with cert");
        return new Tls(Optional.of(file(base, cert, "cert")), Optional.of(file(base, key, "key")), Optional.empty(),
                Optional.ofNullable(password));
    }

    /** {@code path} resolved against {@code base}; an empty path is refused. */
    static Path file(Path base, @Nullable String path, String key) {
        ConfigRule.require(path != null && !path.isBlank(), key, "must be a file path");
        try {
            return base.resolve(path);
        } catch (java.nio.file.InvalidPathException e) {
            throw ConfigRule.of(key, "is not a valid path: " + e.getReason());
        }
    }

    @Override
    public String toString() {
        return "Tls[cert=" + cert.map(Path::toString).orElse("none") + ", key=" + key.map(Path::toString)
                .orElse("none") + ", keystore=" + keystore.map(Path::toString).orElse("none") + ", password="
                + (password.isPresent() ? "***" : "none") + "]";
    }

    /**
     * What a provider's upstream connections trust ({@code providers.NAME.tls}), instead of the JVM's default
     * trust store.
     *
     * @param ca a PEM file of one or more CA certificates (a bundle); the provider's certificate must chain to
     *     one of them, and name the host of {@code base_url}
     */
    public record Trust(Path ca) {
        @JsonCreator
        static Trust bind(@JacksonInject(value = BASE_DIR, useInput = OptBoolean.FALSE) Path base,
                          @JsonProperty("ca") @Nullable String ca) {
            ConfigRule.require(ca != null, "ca", "is required (a PEM file of the CA certificates to trust)");
            return new Trust(file(base, ca, "ca"));
        }
    }
}
