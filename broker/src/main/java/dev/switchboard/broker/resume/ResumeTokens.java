package dev.switchboard.broker.resume;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Issues and verifies resume tokens: {@code rt1.PAYLOAD.MAC}, where the payload (base64url) names the tenant and
 * the session and the MAC is HMAC-SHA256 over {@code rt1.PAYLOAD} with the broker's secret. A token cannot be
 * forged or altered without the secret, and {@link #verify} only accepts it for the tenant it names. Thread-safe.
 */
public final class ResumeTokens {
    private static final String PREFIX = "rt1.";
    private static final String ALGORITHM = "HmacSHA256";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    /** Longer tokens are refused unread: a real one is well under this. */
    private static final int MAX_TOKEN_CHARS = 512;

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs;

    private ResumeTokens(byte[] secret) {
        this.key = new SecretKeySpec(secret, ALGORITHM);
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    /** Tokens signed with {@code secret} (UTF-8), or with 32 random bytes when it is empty. */
    public static ResumeTokens create(Optional<String> secret) {
        if (secret.isPresent()) {
            return new ResumeTokens(secret.get().getBytes(StandardCharsets.UTF_8));
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        return new ResumeTokens(random);
    }

    /** A token for {@code sessionId} of {@code tenantId}. */
    public String issue(String tenantId, String sessionId) {
        String payload = ENCODER.encodeToString((tenantId + "\n" + sessionId).getBytes(StandardCharsets.UTF_8));
        String signed = PREFIX + payload;
        return signed + "." + ENCODER.encodeToString(mac(signed));
    }

    /**
     * The session a token names, if the token is well formed, its MAC verifies, and it belongs to
     * {@code tenantId}. A token of another tenant is indistinguishable from a forged one.
     */
    public Optional<String> verify(String token, String tenantId) {
        if (token.length() > MAX_TOKEN_CHARS || !token.startsWith(PREFIX)) {
            return Optional.empty();
        }
        int dot = token.lastIndexOf('.');
        if (dot <= PREFIX.length()) {
            return Optional.empty();
        }
        try {
            String macText = token.substring(dot + 1);
            String payloadText = token.substring(PREFIX.length(), dot);
            byte[] given = DECODER.decode(macText);
            byte[] payloadBytes = DECODER.decode(payloadText);
            // One canonical form only (unpadded URL-safe Base64, as issued): the decoder also takes padding and
            // spare low bits, which would make several strings the same token (issue 10).
            if (!ENCODER.encodeToString(given).equals(macText) || !ENCODER.encodeToString(payloadBytes)
                    .equals(payloadText) || !MessageDigest.isEqual(given, mac(token.substring(0, dot)))) {
                return Optional.empty();
            }
            String payload = new String(payloadBytes, StandardCharsets.UTF_8);
            int newline = payload.indexOf('\n');
            if (newline < 0 || !payload.substring(0, newline).equals(tenantId)) {
                return Optional.empty();
            }
            return Optional.of(payload.substring(newline + 1));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private byte[] mac(String text) {
        return macs.get().doFinal(text.getBytes(StandardCharsets.UTF_8));
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }
}
