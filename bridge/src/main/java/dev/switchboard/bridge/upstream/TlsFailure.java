package dev.switchboard.bridge.upstream;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;

/**
 * Names a failed TLS handshake with a provider for operators, so that an untrusted or misnamed certificate reads
 * as such rather than as an unreachable provider. The text names the kind of problem only, never a host, URL or
 * certificate detail. Stateless.
 */
public final class TlsFailure {
    /** Causes followed at most; a cycle or a very deep chain ends the search. */
    private static final int MAX_DEPTH = 16;

    private TlsFailure() {
    }

    /**
     * {@code "the provider's TLS handshake failed (…)"} when {@code failure} is, or was caused by, a failed TLS
     * handshake; empty otherwise.
     */
    public static Optional<String> describe(Throwable failure) {
        boolean handshake = false;
        String kind = "";
        Throwable t = failure;
        for (int depth = 0; t != null && depth < MAX_DEPTH; depth++, t = t.getCause()) {
            if (t instanceof SSLHandshakeException) {
                handshake = true;
            }
            if (t instanceof CertPathBuilderException || t instanceof CertPathValidatorException) {
                kind = "its certificate is not trusted";
            } else if (kind.isEmpty() && t instanceof CertificateException) {
                kind = "its certificate does not name the host or is invalid";
            }
            if (t.getCause() == t) {
                break;
            }
        }
        if (!handshake) {
            return Optional.empty();
        }
        return Optional.of("the provider's TLS handshake failed (" + (kind.isEmpty() ? "protocol or cipher mismatch"
                : kind) + ")");
    }
}
