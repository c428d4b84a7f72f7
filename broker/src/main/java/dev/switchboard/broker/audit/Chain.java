package dev.switchboard.broker.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The record format and the hash rule, the one place both the writer and the verifier take them from.
 *
 * <p>A record's <em>canonical bytes</em> are its JSON object without the {@code hash} field, exactly as written:
 * UTF-8, no whitespace, the fixed fields in the order {@code ts, event, decision, reason, tenant, key_id,
 * session_id, response_id, policy_version}, then the event's own fields, then {@code prev_hash}. The line on disk
 * is those bytes with their closing {@code }} replaced by {@code ,"hash":"<64 hex>"}} and a newline. The hash is
 * {@code hex(SHA-256(ascii(prev_hash) || canonical bytes))}; the first record of a log has {@code prev_hash}
 * {@link #GENESIS}. Stateless and thread-safe.
 */
final class Chain {
    /** The {@code prev_hash} of the first record ever written: 64 zeros. */
    static final String GENESIS = "0".repeat(64);
    /** What every line ends with, after the canonical bytes' fields: {@code ,"hash":"HEX"}}. */
    private static final Pattern HASH_SUFFIX = Pattern.compile(",\"hash\":\"([0-9a-f]{64})\"}$");
    private static final int SUFFIX_CHARS = ",\"hash\":\"\"}".length() + 64;
    private static final JsonFactory JSON = new JsonFactory();

    private Chain() {
    }

    /** The canonical bytes of {@code entry} chained after {@code prevHash}. */
    static byte[] canonical(AuditEntry entry, String prevHash) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("ts", entry.ts().toString());
            json.writeStringField("event", entry.event());
            json.writeStringField("decision", entry.decision());
            json.writeStringField("reason", entry.reason());
            json.writeStringField("tenant", entry.tenant());
            json.writeStringField("key_id", entry.keyId());
            json.writeStringField("session_id", entry.sessionId());
            json.writeStringField("response_id", entry.responseId());
            json.writeStringField("policy_version", entry.policyVersion());
            for (AuditEntry.Detail detail : entry.details()) {
                writeDetail(json, detail);
            }
            json.writeStringField("prev_hash", prevHash);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return out.toByteArray();
    }

    private static void writeDetail(JsonGenerator json, AuditEntry.Detail detail) throws IOException {
        Object value = detail.value();
        json.writeFieldName(detail.name());
        if (value instanceof String text) {
            json.writeString(text);
        } else if (value instanceof Long number) {
            json.writeNumber(number);
        } else if (value instanceof Integer number) {
            json.writeNumber(number);
        } else if (value instanceof Double number) {
            json.writeNumber(number);
        } else {
            json.writeBoolean((Boolean) value);
        }
    }

    /** {@code hex(SHA-256(ascii(prevHash) || canonical))}. */
    static String hash(String prevHash, byte[] canonical) {
        MessageDigest sha = sha256();
        sha.update(prevHash.getBytes(StandardCharsets.US_ASCII));
        return HexFormat.of().formatHex(sha.digest(canonical));
    }

    /** The line written for a record: its canonical bytes with the hash as last field, and a newline. */
    static byte[] line(byte[] canonical, String hash) {
        byte[] suffix = (",\"hash\":\"" + hash + "\"}\n").getBytes(StandardCharsets.US_ASCII);
        byte[] line = new byte[canonical.length - 1 + suffix.length];
        System.arraycopy(canonical, 0, line, 0, canonical.length - 1);
        System.arraycopy(suffix, 0, line, canonical.length - 1, suffix.length);
        return line;
    }

    /** The hash a line (without its newline) states, if it ends the way every record does. */
    static Optional<String> statedHash(String line) {
        var m = HASH_SUFFIX.matcher(line);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The canonical bytes of a line (without its newline) that ends with a hash field. */
    static byte[] canonicalOf(String line) {
        return (line.substring(0, line.length() - SUFFIX_CHARS) + "}").getBytes(StandardCharsets.UTF_8);
    }

    /** A SHA-256 digest; every JVM has one. */
    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
