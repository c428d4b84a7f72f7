package dev.switchboard.broker.admission;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

/**
 * The API key a request presents, read from its headers only (never its body, so a refusal can be answered before
 * the body is read): {@code Authorization: Bearer KEY}, or for browsers, which cannot set headers on a WebSocket,
 * the subprotocol {@code openai-insecure-api-key.KEY} next to {@code realtime}.
 *
 * @param apiKey the key, if any
 * @param subprotocols the offered WebSocket subprotocols, in order
 */
public record Credentials(Optional<String> apiKey, List<String> subprotocols) {
    /** The prefix of the subprotocol that carries a browser's key. */
    public static final String KEY_PROTOCOL_PREFIX = "openai-insecure-api-key.";

    public Credentials {
        subprotocols = List.copyOf(subprotocols);
    }

    /** Reads the credentials of a request's headers. Any thread. */
    public static Credentials from(HttpFields headers) {
        List<String> protocols = headers.getValuesList(HttpHeader.SEC_WEBSOCKET_SUBPROTOCOL).stream()
                .flatMap(v -> Arrays.stream(v.split(",")))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
        Optional<String> key = bearer(headers.get(HttpHeader.AUTHORIZATION)).or(() -> protocols.stream()
                .filter(p -> p.startsWith(KEY_PROTOCOL_PREFIX))
                .map(p -> p.substring(KEY_PROTOCOL_PREFIX.length())).findFirst());
        return new Credentials(key, protocols);
    }

    private static Optional<String> bearer(String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String key = header.substring(7).trim();
        return key.isEmpty() ? Optional.empty() : Optional.of(key);
    }
}
