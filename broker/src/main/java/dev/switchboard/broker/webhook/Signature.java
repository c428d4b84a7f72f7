package dev.switchboard.broker.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import java.util.StringJoiner;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Standard Webhooks signature: {@code v1,} + base64(HMAC-SHA256(key, id + "." + timestamp + "." + body)), one
 * per key, space-separated (several keys during a rotation). Stateless; any thread.
 */
final class Signature {
    private static final String HMAC = "HmacSHA256";

    private Signature() {
    }

    /** The {@code webhook-signature} header value for a message sent at {@code epochSeconds}. */
    static String header(List<byte[]> keys, String id, long epochSeconds, byte[] body) {
        byte[] prefix = (id + "." + epochSeconds + ".").getBytes(StandardCharsets.UTF_8);
        StringJoiner all = new StringJoiner(" ");
        for (byte[] key : keys) {
            try {
                Mac mac = Mac.getInstance(HMAC);
                mac.init(new SecretKeySpec(key, HMAC));
                mac.update(prefix);
                all.add("v1," + Base64.getEncoder().encodeToString(mac.doFinal(body)));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is unavailable", e);  // every JDK has it
            }
        }
        return all.toString();
    }
}
